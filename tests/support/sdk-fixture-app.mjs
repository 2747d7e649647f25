// An app written with the official Inngest SDK (v3 or v4), configured only through the
// environment the way users configure theirs (INNGEST_DEV, INNGEST_BASE_URL, INNGEST_SIGNING_KEY,
// INNGEST_EVENT_KEY). Started by tests/support/sdk-app.ts in its own process.
//
// SDK_VERSION=3|4, APP_ID, PORT, VARIANT=full|reduced|bad|cron, CHECKPOINTING=0 (v4: off).
// Side endpoints for tests: GET /__stats (what the functions did), POST /__send (inngest.send).
// Every event name starts with `${APP_ID}/` so apps sharing a server never trigger each other.
import { serveFixture } from "./fixture-server.mjs";

/** the SDK's calls to the server, by kind (installed before the SDK loads, which binds fetch) */
const serverCalls = {};
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const { pathname } = new URL(url);
  const kind = pathname.startsWith("/v0/runs/")
    ? `v0:${pathname.split("/").pop()}`
    : pathname.startsWith("/v1/checkpoint/")
      ? "checkpoint"
      : pathname.startsWith("/e/")
        ? "send"
        : pathname;
  serverCalls[kind] = (serverCalls[kind] ?? 0) + 1;
  return realFetch(input, init);
};

const V = process.env.SDK_VERSION === "3" ? "3" : "4";
const sdk = await import(V === "3" ? "inngest-v3" : "inngest-v4");
const { serve } = await import(V === "3" ? "inngest-v3/node" : "inngest-v4/node");
const { Inngest, NonRetriableError, RetryAfterError } = sdk;

const appId = process.env.APP_ID ?? `sdk-v${V}`;
const variant = process.env.VARIANT ?? "full";
const inngest = new Inngest({
  id: appId,
  ...(process.env.CHECKPOINTING === "0" ? { checkpointing: false } : {}),
});
const ev = (name) => `${appId}/${name}`;

/** counters and timestamps, per key */
const stats = { counts: {}, marks: {}, values: {}, serverCalls };
const hit = (key) => {
  stats.counts[key] = (stats.counts[key] ?? 0) + 1;
  (stats.marks[key] ??= []).push(Date.now());
  return stats.counts[key];
};
const sleepMs = (ms) => new Promise((r) => setTimeout(r, ms));

/** createFunction with v3's (opts, trigger, handler) or v4's ({...opts, triggers}, handler). */
function fn(opts, triggers, handler) {
  return V === "3" ? inngest.createFunction(opts, triggers, handler) : inngest.createFunction({ ...opts, triggers }, handler);
}

const child = fn({ id: "child" }, [{ event: ev("child.direct") }], async ({ event }) => ({ doubled: event.data.n * 2 }));
const childFail = fn({ id: "child-fail", retries: 0 }, [{ event: ev("child-fail.direct") }], async () => {
  throw new NonRetriableError("child gave up");
});

const functions = [
  fn({ id: "memo" }, [{ event: ev("memo") }], async ({ event, step, runId }) => {
    hit(`memo:${runId}:body`);
    const a = await step.run("a", () => (hit(`memo:${runId}:a`), "A"));
    const b = await step.run("b", () => (hit(`memo:${runId}:b`), a + "B"));
    const c = await step.run("c", () => (hit(`memo:${runId}:c`), b + "C"));
    return { c, name: event.data.name };
  }),

  fn({ id: "repeat" }, [{ event: ev("repeat") }], async ({ step, runId }) => {
    const first = await step.run("same", () => hit(`repeat:${runId}`));
    const second = await step.run("same", () => hit(`repeat:${runId}`));
    return [first, second];
  }),

  fn({ id: "flaky", retries: 3 }, [{ event: ev("flaky") }], async ({ step, runId, attempt }) => {
    const value = await step.run("flaky-step", () => {
      const n = hit(`flaky:${runId}`);
      if (n < 3) throw new Error(`flaky failure ${n}`);
      return `ok after ${n}`;
    });
    return { value, attempt };
  }),

  fn(
    {
      id: "doomed",
      retries: 3,
      onFailure: async ({ event, error, runId }) => {
        hit(`failure:${event.data.run_id}`);
        stats.values[`failure:${event.data.run_id}`] = { message: error.message, name: error.name, handlerRun: runId };
      },
    },
    [{ event: ev("doomed") }],
    async ({ step, runId }) => {
      await step.run("fatal", () => {
        hit(`doomed:${runId}`);
        throw new NonRetriableError("this cannot work");
      });
      hit(`doomed-after:${runId}`);
    },
  ),

  fn({ id: "retry-after", retries: 2 }, [{ event: ev("retry-after") }], async ({ step, runId }) => {
    return step.run("later", () => {
      const n = hit(`retry-after:${runId}`);
      if (n === 1) throw new RetryAfterError("come back later", "2s");
      return n;
    });
  }),

  fn({ id: "sleeper" }, [{ event: ev("sleep") }], async ({ event, step, runId }) => {
    await step.run("before", () => hit(`sleep:${runId}:before`));
    await step.sleep("nap", event.data.duration ?? "2s");
    await step.run("after", () => hit(`sleep:${runId}:after`));
    return "rested";
  }),

  fn({ id: "waiter" }, [{ event: ev("wait") }], async ({ event, step }) => {
    const approval = await step.waitForEvent("approval", {
      event: ev("approved"),
      timeout: event.data.timeout ?? "1h",
      if: "async.data.id == event.data.id",
    });
    return { approved: approval ? approval.data : null };
  }),

  child,
  childFail,
  fn({ id: "parent" }, [{ event: ev("parent") }], async ({ event, step }) => {
    const target = event.data.fail ? childFail : child;
    try {
      const result = await step.invoke("call-child", { function: target, data: { n: event.data.n } });
      return { result };
    } catch (err) {
      return { caught: err.message, name: err.name };
    }
  }),

  fn({ id: "sender" }, [{ event: ev("send") }], async ({ event, step }) => {
    const sent = await step.sendEvent("emit", { name: ev("sent"), data: { from: event.data.tag } });
    return sent;
  }),
  fn({ id: "on-sent" }, [{ event: ev("sent") }], async ({ event }) => ({ got: event.data.from })),

  fn({ id: "parallel" }, [{ event: ev("parallel") }], async ({ step, runId }) => {
    const parts = await Promise.all(
      [1, 2, 3].map((i) => step.run(`part-${i}`, async () => (hit(`parallel:${runId}:${i}`), await sleepMs(50), i * 10))),
    );
    const total = await step.run("sum", () => (hit(`parallel:${runId}:sum`), parts.reduce((a, b) => a + b, 0)));
    return { parts, total };
  }),

  fn({ id: "wildcard" }, [{ event: `${appId}/wild.*` }], async ({ event }) => ({ name: event.name })),
  fn({ id: "expression" }, [{ event: ev("expr"), if: "event.data.amount > 100" }], async ({ event }) => ({
    amount: event.data.amount,
  })),
  fn({ id: "fan-a" }, [{ event: ev("fanout") }], async () => "a"),
  fn({ id: "fan-b" }, [{ event: ev("fanout") }], async () => "b"),

  fn(
    { id: "cancellable", cancelOn: [{ event: ev("cancel"), match: "data.id" }] },
    [{ event: ev("cancellable") }],
    async ({ event, step, runId }) => {
      await step.run("start", () => hit(`cancellable:${runId}:start`));
      if (event.data.mode === "sleep") await step.sleep("long-nap", "1h");
      if (event.data.mode === "wait") await step.waitForEvent("never", { event: ev("never"), timeout: "1h" });
      if (event.data.mode === "run")
        await step.run("slow", async () => {
          hit(`cancellable:${runId}:slow`);
          await sleepMs(1500);
        });
      await step.run("after", () => hit(`cancellable:${runId}:after`));
      return "finished";
    },
  ),
  fn(
    {
      id: "cancel-if",
      cancelOn: [{ event: ev("cancel-if"), if: "async.data.id == event.data.id && async.data.really == true", timeout: "2s" }],
    },
    [{ event: ev("cancel-if") + ".start" }],
    async ({ event, step, runId }) => {
      await step.sleep("nap", event.data.duration ?? "1h");
      await step.run("after", () => hit(`cancel-if:${runId}:after`));
      return "finished";
    },
  ),

  fn({ id: "big" }, [{ event: ev("big") }], async ({ event, step }) => {
    const blob = await step.run("blob", () => "x".repeat(event.data.size));
    // ends the call, so the next one has to carry (or fetch) the large memo
    await step.sleep("pause", "1s");
    const again = await step.run("again", () => blob.length);
    return { length: again, eventBytes: JSON.stringify(event.data).length };
  }),

  fn({ id: "ten-steps" }, [{ event: ev("ten") }], async ({ step }) => {
    let n = 0;
    for (let i = 0; i < 10; i++) n = await step.run(`s${i}`, () => n + 1);
    return n;
  }),
];

if (variant === "reduced") functions.splice(0, functions.length, functions[0]);
if (variant === "cron")
  functions.splice(
    0,
    functions.length,
    fn({ id: "tick" }, [{ cron: "* * * * * *" }], async ({ event }) => ({ name: event.name, cron: event.data.cron })),
  );
if (variant === "bad") functions.push(fn({ id: "bad", concurrency: { limit: 0 } }, [{ event: ev("bad") }], async () => null));

const handler = serve({ client: inngest, functions });
serveFixture({
  handler,
  stats,
  actions: { "/__send": (body) => inngest.send(body) },
  // calls from the server, per run
  onCall: (req) => {
    const runId = req.headers["x-run-id"];
    if (req.method === "POST" && typeof runId === "string") hit(`calls:${runId}`);
  },
});
