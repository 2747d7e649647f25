// An app written with the official Inngest SDK (v3 or v4) whose functions use flow control
// (concurrency, throttle, rate limit, debounce, batching, priority, idempotency, singleton,
// timeouts). Started by tests/support/sdk-app.ts with `script: "flow-fixture-app.mjs"`,
// configured like sdk-fixture-app.mjs (SDK_VERSION, APP_ID, PORT, INNGEST_*).
//
// It measures what the functions did from the app's side: GET /__stats answers
//  - starts[fn]: one entry per run, the first time the run's code was called
//    ({runId, at, data, events: [data…]})
//  - intervals[group]: [start, end, tag] of every step body that ran in that group
//  - max[group]: the most step bodies of the group that were executing at one moment
// BAD=cel|limit|period|… adds one function whose configuration the server must refuse.
import { serveFixture } from "./fixture-server.mjs";

const V = process.env.SDK_VERSION === "3" ? "3" : "4";
const sdk = await import(V === "3" ? "inngest-v3" : "inngest-v4");
const { serve } = await import(V === "3" ? "inngest-v3/node" : "inngest-v4/node");
const { Inngest } = sdk;

const appId = process.env.APP_ID ?? `flow-v${V}`;
const inngest = new Inngest({
  id: appId,
  ...(process.env.CHECKPOINTING === "0" ? { checkpointing: false } : {}),
});
const ev = (name) => `${appId}/${name}`;

const stats = { starts: {}, intervals: {}, max: {}, inflight: {} };
const seenRuns = new Set();
const sleepMs = (ms) => new Promise((r) => setTimeout(r, ms));

function started(fnName, runId, event, events) {
  if (seenRuns.has(runId)) return;
  seenRuns.add(runId);
  (stats.starts[fnName] ??= []).push({
    runId,
    at: Date.now(),
    data: event?.data ?? null,
    events: (events ?? []).map((e) => e.data),
  });
}

/** A step body that takes `ms` and counts itself as executing in each group meanwhile. */
async function work(groups, ms, tag) {
  const at = Date.now();
  for (const g of groups) {
    stats.inflight[g] = (stats.inflight[g] ?? 0) + 1;
    stats.max[g] = Math.max(stats.max[g] ?? 0, stats.inflight[g]);
  }
  await sleepMs(ms);
  for (const g of groups) {
    stats.inflight[g] -= 1;
    (stats.intervals[g] ??= []).push([at, Date.now(), tag]);
  }
  return tag;
}

/** createFunction with v3's (opts, trigger, handler) or v4's ({...opts, triggers}, handler). */
function fn(opts, triggers, handler) {
  return V === "3" ? inngest.createFunction(opts, triggers, handler) : inngest.createFunction({ ...opts, triggers }, handler);
}

/** A function whose run records its start and then runs `body`. */
function flowFn(id, opts, body) {
  return fn({ id, retries: 0, ...opts }, [{ event: ev(`flow.${id}`) }], async (ctx) => {
    started(id, ctx.runId, ctx.event, ctx.events);
    return body(ctx);
  });
}

const functions = [
  // 10 runs of two 300 ms steps, at most 2 steps at once.
  flowFn("conc", { concurrency: 2 }, async ({ step, runId }) => {
    await step.run("a", () => work(["conc"], 300, `${runId}:a`));
    await step.run("b", () => work(["conc"], 300, `${runId}:b`));
    return "ok";
  }),
  // A sleeping run holds no slot: another run's step executes meanwhile.
  flowFn("sleepy", { concurrency: 1 }, async ({ step, runId }) => {
    await step.run("a", () => work(["sleepy"], 200, `${runId}:a`));
    await step.sleep("nap", "2s");
    await step.run("b", () => work(["sleepy"], 200, `${runId}:b`));
    return "ok";
  }),
  // One virtual queue per user.
  flowFn("conc-key", { concurrency: { limit: 1, key: "event.data.user" } }, async ({ event, step, runId }) => {
    await step.run("a", () => work(["conc-key", `conc-key:${event.data.user}`], 300, runId));
    return "ok";
  }),
  flowFn("conc-wait", { concurrency: 1 }, async ({ step, runId }) => {
    await step.run("a", () => work(["conc-wait"], 400, runId));
    return "ok";
  }),
  // Two limits: 2 for the function, 1 per user.
  flowFn("conc-two", { concurrency: [{ limit: 2 }, { limit: 1, key: "event.data.user" }] }, async ({ event, step, runId }) => {
    await step.run("a", () => work(["conc-two", `conc-two:${event.data.user}`], 300, runId));
    return "ok";
  }),
  // Two functions sharing one account-wide limit through the same key value.
  ...["scope-a", "scope-b"].map((id) =>
    flowFn(id, { concurrency: { limit: 1, key: '"shared-api"', scope: "account" } }, async ({ step, runId }) => {
      await step.run("a", () => work(["scope"], 300, `${id}:${runId}`));
      return "ok";
    }),
  ),
  flowFn("throttle", { throttle: { limit: 2, period: "2s", burst: 1 } }, async ({ step }) => {
    await step.run("a", () => "ok");
    return "ok";
  }),
  flowFn("ratelimit", { rateLimit: { limit: 2, period: "4s", key: "event.data.k" } }, async ({ event }) => event.data),
  flowFn("debounce", { debounce: { period: "1s", key: "event.data.k", timeout: "3s" } }, async ({ event }) => event.data),
  flowFn("batch", { batchEvents: { maxSize: 3, timeout: "2s" } }, async ({ events }) => ({ n: events.length })),
  flowFn("priority", { concurrency: 1, priority: { run: "event.data.p" } }, async ({ event, step }) => {
    await step.run("a", () => work(["priority"], event.data.ms ?? 200, event.data.tag));
    return event.data.tag;
  }),
  // Two steps: a run keeps its priority for every step, not only the first.
  flowFn("priority-steps", { concurrency: 1, priority: { run: "event.data.p" } }, async ({ event, step }) => {
    await step.run("a", () => work(["priority-steps"], event.data.ms ?? 200, `${event.data.tag}:a`));
    await step.run("b", () => work(["priority-steps"], event.data.ms ?? 200, `${event.data.tag}:b`));
    return event.data.tag;
  }),
  flowFn("idempotency", { idempotency: "event.data.orderId" }, async ({ event }) => event.data.orderId),
  ...["skip", "cancel"].map((mode) =>
    flowFn(`singleton-${mode}`, { singleton: { key: "event.data.k", mode } }, async ({ event, step, runId }) => {
      await step.run("a", () => work([`singleton-${mode}`], 50, `${runId}:a`));
      await step.sleep("nap", event.data.nap ?? "1s");
      await step.run("b", () => work([`singleton-${mode}`], 50, `${runId}:b`));
      return event.data.tag;
    }),
  ),
  flowFn("timeout-start", { concurrency: 1, timeouts: { start: "1s" } }, async ({ event, step }) => {
    await step.run("a", () => work(["timeout-start"], event.data.ms ?? 50, event.data.tag));
    return event.data.tag;
  }),
  flowFn("timeout-finish", { timeouts: { finish: "1s" } }, async ({ step, runId }) => {
    await step.run("a", () => work(["timeout-finish"], 50, `${runId}:a`));
    await step.sleep("nap", "5s");
    await step.run("b", () => work(["timeout-finish"], 50, `${runId}:b`));
    return "finished";
  }),
];

const BAD = {
  cel: { concurrency: { limit: 1, key: "event.data.user ==" } },
  limit: { throttle: { limit: 0, period: "1s" } },
  period: { rateLimit: { limit: 1, period: "5 fortnights" } },
  "debounce-period": { debounce: { period: "soon" } },
  "batch-size": { batchEvents: { maxSize: 0, timeout: "1s" } },
  "priority-cel": { priority: { run: "event.data.p +" } },
};
if (process.env.BAD) {
  const config = BAD[process.env.BAD];
  if (!config) throw new Error(`unknown BAD=${process.env.BAD}`);
  functions.push(fn({ id: "bad", ...config }, [{ event: ev("flow.bad") }], async () => null));
}

const handler = serve({ client: inngest, functions });
serveFixture({ handler, stats });
