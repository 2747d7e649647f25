// A realistic app written with the official Inngest SDK (v3 or v4), for the dashboard's browser
// tests: multi-step functions with a retried step, sleeps, waits for events, failures, a cron,
// a batch and flow control that skips or delays runs. Started by tests/support/sdk-app.ts with
// `script: "dashboard-fixture-app.mjs"`, configured like sdk-fixture-app.mjs (SDK_VERSION,
// APP_ID, PORT, INNGEST_*). CRON=0 leaves the cron function out.
//
// GET /__stats answers {counts, marks, values, serverCalls} like sdk-fixture-app.mjs; counts has
// `<fn>:<runId>:<step>` for every step body that executed and `calls:<runId>` for every call
// the server made for a run.
import { serveFixture } from "./fixture-server.mjs";

const V = process.env.SDK_VERSION === "3" ? "3" : "4";
const sdk = await import(V === "3" ? "inngest-v3" : "inngest-v4");
const { serve } = await import(V === "3" ? "inngest-v3/node" : "inngest-v4/node");
const { Inngest, NonRetriableError } = sdk;

const appId = process.env.APP_ID ?? "shop";
const inngest = new Inngest({ id: appId, ...(process.env.CHECKPOINTING === "0" ? { checkpointing: false } : {}) });

const stats = { counts: {}, marks: {}, values: {}, serverCalls: {} };
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

const functions = [
  // Three steps; the card charge fails on its first attempt in every run that executes it.
  fn(
    { id: "fulfil-order", name: "Fulfil order", retries: 3 },
    [{ event: "shop/order.placed" }],
    async ({ event, step, runId }) => {
      const reservation = await step.run("reserve-stock", async () => {
        hit(`fulfil:${runId}:reserve-stock`);
        await sleepMs(120);
        return { sku: event.data.sku ?? "TSHIRT-M", reserved: event.data.qty ?? 1, warehouse: "ams-2" };
      });
      const charge = await step.run("charge-card", async () => {
        const n = hit(`fulfil:${runId}:charge-card`);
        await sleepMs(80);
        if (n === 1) throw new Error("card_declined: the issuer asked to try again");
        return { chargeId: `ch_${runId.slice(-8).toLowerCase()}`, amount: event.data.amount ?? 4900, currency: "eur" };
      });
      const receipt = await step.run("send-receipt", async () => {
        hit(`fulfil:${runId}:send-receipt`);
        await sleepMs(60);
        return { to: event.data.email ?? "ada@example.com", charge: charge.chargeId };
      });
      return { orderId: event.data.orderId ?? null, reservation, charge, receipt };
    },
  ),

  // Sleeps between two steps.
  fn({ id: "trial-reminder", name: "Trial reminder" }, [{ event: "shop/trial.started" }], async ({ event, step, runId }) => {
    await step.run("record-trial", () => (hit(`trial:${runId}:record-trial`), { userId: event.data.userId ?? "u_1" }));
    await step.sleep("wait-before-reminder", event.data.wait ?? "4s");
    const sent = await step.run("send-reminder", () => (hit(`trial:${runId}:send-reminder`), { sent: true }));
    return sent;
  }),

  // Waits for a matching approval event; withdrawing the expense cancels the run.
  fn(
    {
      id: "expense-approval",
      name: "Expense approval",
      cancelOn: [{ event: "shop/expense.withdrawn", match: "data.expenseId" }],
    },
    [{ event: "shop/expense.submitted" }],
    async ({ event, step, runId }) => {
      await step.run("notify-manager", () => (hit(`expense:${runId}:notify-manager`), { notified: "manager@example.com" }));
      const approval = await step.waitForEvent("wait-for-approval", {
        event: "shop/expense.approved",
        timeout: event.data.timeout ?? "1h",
        if: "async.data.expenseId == event.data.expenseId",
      });
      if (!approval) return { approved: false };
      const payout = await step.run("pay-out", () => (hit(`expense:${runId}:pay-out`), { paid: event.data.amount ?? 120 }));
      return { approved: true, by: approval.data.by ?? null, payout };
    },
  ),

  // Fails for good.
  fn({ id: "sync-crm", name: "Sync CRM contact", retries: 1 }, [{ event: "shop/customer.updated" }], async ({ step }) => {
    await step.run("fetch-contact", () => ({ id: "c_42" }));
    await step.run("push-to-crm", () => {
      throw new NonRetriableError("CRM rejected the contact: email is required");
    });
  }),

  // Batches of up to 5 events.
  fn(
    { id: "import-rows", name: "Import rows", batchEvents: { maxSize: 5, timeout: "2s" } },
    [{ event: "shop/row.uploaded" }],
    async ({ events, step }) => step.run("insert-rows", () => ({ inserted: events.length })),
  ),

  // Flow control that skips: at most one digest per user per minute; one reindex at a time per index.
  fn(
    {
      id: "send-digest",
      name: "Send digest",
      rateLimit: { limit: 1, period: "1m", key: "event.data.userId" },
      idempotency: "event.data.digestId",
    },
    [{ event: "shop/digest.requested" }],
    async ({ event }) => ({ sentTo: event.data.userId }),
  ),
  fn(
    {
      id: "reindex-search",
      name: "Reindex search",
      singleton: { key: "event.data.index", mode: "skip" },
      debounce: { period: "1s", key: "event.data.index", timeout: "10s" },
    },
    [{ event: "shop/catalog.changed" }],
    async ({ event, step }) => {
      await step.sleep("settle", "2s");
      return { index: event.data.index };
    },
  ),

  // Everything else flow control offers, for the function page.
  fn(
    {
      id: "sync-inventory",
      name: "Sync inventory",
      concurrency: [{ limit: 5 }, { limit: 1, key: "event.data.warehouse" }],
      throttle: { limit: 10, period: "1m", burst: 2, key: "event.data.warehouse" },
      priority: { run: "event.data.urgent == true ? 120 : 0" },
      timeouts: { start: "5m", finish: "1h" },
      cancelOn: [{ event: "shop/warehouse.closed", match: "data.warehouse" }],
      retries: 2,
    },
    [{ event: "shop/inventory.changed" }, { event: "shop/warehouse.audit", if: "event.data.full == true" }],
    async ({ event, step }) => step.run("push", () => ({ warehouse: event.data.warehouse ?? null })),
  ),
];

if (process.env.CRON !== "0")
  functions.push(
    fn(
      { id: "nightly-report", name: "Nightly report" },
      [{ cron: process.env.CRON_SPEC ?? "*/20 * * * * *" }],
      async ({ step }) => step.run("build-report", () => ({ rows: 128 })),
    ),
  );

const handler = serve({ client: inngest, functions });
serveFixture({
  handler,
  stats,
  // calls from the server, per run
  onCall: (req) => {
    const runId = req.headers["x-run-id"];
    if (req.method === "POST" && typeof runId === "string") hit(`calls:${runId}`);
  },
});
