// A small app with the official Inngest SDK (v3 or v4) using the step tools the server performs
// or resolves itself: step.waitForSignal / sendSignal, step.fetch and step.ai.infer. Started by
// tests/support/sdk-app.ts (`script`), configured like sdk-fixture-app.mjs (SDK_VERSION, APP_ID,
// PORT, INNGEST_*). AI_KEY is the provider key the functions use (never part of an event).
// Side endpoints: GET /__stats, POST /__signal ({signal, data} → inngest.sendSignal).
import { serveFixture } from "./fixture-server.mjs";

const V = process.env.SDK_VERSION === "3" ? "3" : "4";
const sdk = await import(V === "3" ? "inngest-v3" : "inngest-v4");
const { serve } = await import(V === "3" ? "inngest-v3/node" : "inngest-v4/node");
const { Inngest } = sdk;

const appId = process.env.APP_ID ?? `steps-v${V}`;
const aiKey = process.env.AI_KEY ?? "sk-test-key";
const inngest = new Inngest({ id: appId, ...(process.env.CHECKPOINTING === "0" ? { checkpointing: false } : {}) });
const ev = (name) => `${appId}/${name}`;
const stats = { counts: {}, marks: {}, values: {}, serverCalls: {} };

function fn(opts, triggers, handler) {
  return V === "3" ? inngest.createFunction(opts, triggers, handler) : inngest.createFunction({ ...opts, triggers }, handler);
}

const models = (step) => step.ai.models;

const functions = [
  // retries: 0, so a signal conflict fails the run at once
  fn({ id: "signal-waiter", retries: 0 }, [{ event: ev("signal-wait") }], async ({ event, step }) => {
    const got = await step.waitForSignal("wait-signal", {
      signal: event.data.signal,
      timeout: event.data.timeout ?? "1h",
      onConflict: event.data.onConflict ?? "fail",
    });
    return { got };
  }),

  fn({ id: "signal-sender" }, [{ event: ev("signal-send") }], async ({ event, step }) => {
    const sent = await step.sendSignal("send-it", { signal: event.data.signal, data: event.data.data });
    return { sent };
  }),

  fn({ id: "fetcher" }, [{ event: ev("fetch") }], async ({ event, step }) => {
    const res = await step.fetch(event.data.url, {
      method: event.data.method ?? "POST",
      headers: { "x-test": "yes", "content-type": "text/plain" },
      body: event.data.body,
    });
    return { status: res.status, body: await res.text(), reply: res.headers.get("x-reply") };
  }),

  fn({ id: "inferrer", retries: 1 }, [{ event: ev("infer") }], async ({ event, step }) => {
    const m = models(step);
    const model =
      event.data.format === "anthropic"
        ? m.anthropic({ model: "claude-test", apiKey: aiKey, baseUrl: event.data.baseUrl, defaultParameters: { max_tokens: 16 } })
        : m.openai({ model: "gpt-test", apiKey: aiKey, baseUrl: event.data.baseUrl });
    const out = await step.ai.infer("ask", { model, body: { messages: [{ role: "user", content: event.data.prompt }] } });
    return { out };
  }),
];

const handler = serve({ client: inngest, functions });
serveFixture({ handler, stats, actions: { "/__signal": (body) => inngest.sendSignal(body) } });
