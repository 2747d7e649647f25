import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { AppDto } from "@/lib/contracts/apps";
import type { EventDetail } from "@/lib/contracts/events";
import type { RunDetail, RunList } from "@/lib/contracts/runs";

import { launchBrowser, openPage, screenshot, skipWithoutChromium, type DashboardPage } from "../support/browser";
import { startSdkApp, type SdkApp } from "../support/sdk-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = skipWithoutChromium();

/**
 * The dashboard with runs of a real Inngest SDK app (v4, tests/support/dashboard-fixture-app.mjs,
 * in its own process): the home page's recent runs and events, the run timeline of a multi-step
 * function with a retried step, rerun from a step (the app counts what it executes), cancel
 * during a sleep (the list's "Sleeping until" badge), a waitForEvent completed from the Send
 * event dialog and the event that resumed it, a run cancelled by a cancelOn event, skipped runs and their
 * reasons, the custom time range, and screenshots of every page in both themes.
 */
describe.skipIf(skip)("dashboard with SDK runs", () => {
  let server: TestServer;
  let app: SdkApp;
  let browser: Browser;
  let current: DashboardPage | undefined;
  const runs: Record<string, string> = {};

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    app = await startSdkApp({ version: 4, serverUrl: server.url, appId: "shop", script: "dashboard-fixture-app.mjs" });
    const added = await api<AppDto>(server, "POST", "/api/v1/apps", { url: app.url });
    expect(added.body.syncError).toBeNull();
  });
  afterEach(async () => {
    if (current) {
      expect(current.errors, "errors thrown in the page").toEqual([]);
      await current.context.close();
      current = undefined;
    }
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await server?.dispose();
  });

  const open = async (path: string, options: { dark?: boolean } = {}) => {
    current = await openPage(browser, options);
    await current.page.goto(server.url + path);
    await current.page.getByTestId("live-indicator").and(current.page.locator('[data-state="open"]')).waitFor();
    return current.page;
  };
  const send = async (event: unknown) => (await api<{ ids: string[] }>(server, "POST", "/e/test", event)).body.ids;
  const detail = async (runId: string) => (await api<RunDetail>(server, "GET", `/api/v1/runs/${runId}`)).body;
  const runOf = (eventId: string, functionId: string, status?: string) =>
    waitFor(
      async () => {
        const list = (await api<RunList>(server, "GET", `/api/v1/runs?functionId=${functionId}&limit=200`)).body.data;
        const run = list.find((r) => r.eventId === eventId);
        return run && (!status || run.status === status) ? run : null;
      },
      30_000,
      `a ${status ?? ""} ${functionId} run of event ${eventId}`,
    );
  const counts = async () => (await app.stats()).counts;
  const stepRow = (page: Page, name: string) =>
    page.locator("[data-step-row]").filter({ has: page.getByTestId("step-name").getByText(name, { exact: true }) });

  it("the home page lists recent runs and events; a new event and its run appear live without moving the page", async () => {
    const page = await open("/");
    expect(await page.getByRole("heading", { name: "Recent runs" }).isVisible()).toBe(true);
    expect(await page.getByRole("heading", { name: "Recent events" }).isVisible()).toBe(true);
    await page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true));
    const panelTop = (await page.getByTestId("recent-events").boundingBox())?.y;
    const runsTop = (await page.getByRole("heading", { name: "Recent runs" }).boundingBox())?.y;

    const [eventId] = await send({ name: "shop/order.placed", data: { orderId: "o_1", amount: 4900 } });
    const item = page.locator(`[data-testid="recent-event"][data-event-id="${eventId}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain("shop/order.placed");
    // the run it started, with its status, linked from the event; it completes live
    const run = await runOf(eventId as string, "shop-fulfil-order", "Completed");
    runs.order = run.id;
    await item.locator(`a[data-run-id="${run.id}"][data-status="Completed"]`).waitFor();
    expect(await item.locator(`a[href="/events/${eventId}"]`).count()).toBe(1);
    await page.locator(`tr[data-run-id="${run.id}"][data-status="Completed"]`).waitFor();
    expect((await page.getByTestId("recent-events").boundingBox())?.y).toBe(panelTop);
    expect((await page.getByRole("heading", { name: "Recent runs" }).boundingBox())?.y).toBe(runsTop);
    expect(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true);

    await item.locator(`a[href="/events/${eventId}"]`).click();
    await page.waitForURL(`**/events/${eventId}`);
  });

  it("shows each step of a multi-step SDK run on the timeline, with the retried step's attempts and outputs", async () => {
    const id = runs.order as string;
    for (const dark of [false, true]) {
      const page = await open(`/runs/${id}`, { dark });
      const names = await page.locator("[data-step-row]").getByTestId("step-name").allTextContents();
      expect(names).toEqual(["reserve-stock", "charge-card", "send-receipt"]);
      const charge = stepRow(page, "charge-card");
      expect(await charge.locator('[data-bar-kind="failed"]').count()).toBe(1);
      expect(await charge.locator('[data-bar-kind="completed"]').count()).toBe(1);
      expect(await charge.locator('[title="step.run"]').textContent()).toContain("1 retry");
      // what the step took, first attempt to last, backoff included
      expect(await charge.getByTestId("row-summary").textContent()).toMatch(/^\d+ms$/);
      expect(await page.getByTestId("attempts").textContent()).toContain("1 retry");

      await charge.click();
      expect(await page.getByTestId("selected-step").textContent()).toBe("charge-card");
      expect(await page.getByTestId("step-panel").getByTestId("json-view").first().textContent()).toContain('"chargeId"');
      await page.getByRole("tab", { name: "Attempt 1" }).click();
      expect(await page.getByTestId("error-view").textContent()).toContain("card_declined");
      if (!dark) await screenshot(page, "sdk-run-retried-step-light");

      await stepRow(page, "reserve-stock").click();
      expect(await page.getByTestId("step-panel").textContent()).toContain('"warehouse": "ams-2"');
      expect(await page.getByTestId("run-output").textContent()).toContain('"orderId": "o_1"');
      await screenshot(page, `sdk-run-${dark ? "dark" : "light"}`);
      await current!.context.close();
      current = undefined;
    }
  });

  it("reruns from the third step: a new run, linked to the original, that keeps the first two results without executing them", async () => {
    const original = runs.order as string;
    const page = await open(`/runs/${original}`);
    await stepRow(page, "send-receipt").click();
    await page.getByTestId("rerun-from-step").click();
    await page.waitForURL((url) => url.pathname.startsWith("/runs/") && !url.pathname.endsWith(original));
    const rerun = page.url().split("/").pop() as string;
    await page.getByTestId("origin-link").filter({ hasText: original }).waitFor();
    expect(await page.getByTestId("origin").textContent()).toContain("from step send-receipt");
    await page.locator('[data-run-status="Completed"]').waitFor({ timeout: 30_000 });

    // The app executed only the third step in the new run; the first two came from the original.
    const c = await counts();
    expect(c[`fulfil:${rerun}:reserve-stock`]).toBeUndefined();
    expect(c[`fulfil:${rerun}:charge-card`]).toBeUndefined();
    expect(c[`fulfil:${rerun}:send-receipt`]).toBe(1);
    const [before, after] = await Promise.all([detail(original), detail(rerun)]);
    expect((after.run.output as { charge: unknown }).charge).toEqual((before.run.output as { charge: unknown }).charge);
    expect(after.run).toMatchObject({ originRunId: original, eventIds: before.run.eventIds });

    // On the timeline the kept steps say so; the third ran again.
    await page.reload();
    for (const name of ["reserve-stock", "charge-card"]) {
      const row = stepRow(page, name);
      expect(await row.locator('[data-bar-kind="kept"]').count()).toBe(1);
      expect(await row.getByTestId("row-summary").textContent()).toBe("kept from the original run");
    }
    expect(await stepRow(page, "send-receipt").locator('[data-bar-kind="completed"]').count()).toBe(1);
    await stepRow(page, "charge-card").click();
    expect(await page.getByTestId("kept-note").textContent()).toContain(original);
    await screenshot(page, "sdk-run-rerun-from-step-light");

    await page.getByTestId("origin-link").click();
    await page.waitForURL(`**/runs/${original}`);
    await page.locator(`[data-testid="rerun-link"][href="/runs/${rerun}"]`).waitFor();
  });

  it("cancels a run sleeping in step.sleep: it ends Cancelled and the app is never called for it again", async () => {
    // The runs list shows the sleep as it starts, live: the run stays Running, its badge says until when.
    const list = await open("/runs?function=shop-trial-reminder");
    const [eventId] = await send({ name: "shop/trial.started", data: { userId: "u_9", wait: "20s" } });
    const run = await runOf(eventId as string, "shop-trial-reminder");
    const listBadge = list.locator(`tr[data-run-id="${run.id}"][data-status="Running"] [data-sub-state="Sleeping"]`);
    await listBadge.waitFor();
    expect(await listBadge.textContent()).toMatch(/^Sleeping until \d\d:\d\d:\d\d$/);
    await screenshot(list, "sdk-runs-sleeping-light");
    await current!.context.close();
    current = undefined;

    await waitFor(async () => (await detail(run.id)).steps.some((s) => s.op === "Sleep" && s.status === "Sleeping"));
    const page = await open(`/runs/${run.id}`);
    await page.getByTestId("sleep-banner").waitFor();
    expect(await page.getByTestId("sub-state").textContent()).toMatch(/^Sleeping until /);
    await stepRow(page, "wait-before-reminder").locator('[data-bar-kind="sleeping"]').waitFor();
    await screenshot(page, "sdk-run-sleeping-light");
    const callsBefore = (await counts())[`calls:${run.id}`];
    expect(callsBefore).toBeGreaterThanOrEqual(1);

    await page.getByTestId("cancel-run").click();
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.locator('[data-run-status="Cancelled"]').waitFor();
    const wake = Date.parse((await detail(run.id)).steps.find((s) => s.op === "Sleep")?.wakeAt as string);
    // past the time the sleep would have woken, with a margin for a busy machine
    await new Promise((r) => setTimeout(r, Math.max(0, wake - Date.now()) + 2500));
    const after = await detail(run.id);
    expect(after.run.status).toBe("Cancelled");
    expect(after.pending).toEqual([]);
    const c = await counts();
    expect(c[`calls:${run.id}`]).toBe(callsBefore);
    expect(c[`trial:${run.id}:send-reminder`]).toBeUndefined();
    await stepRow(page, "wait-before-reminder").locator('[data-bar-kind="cancelled"]').waitFor();
    expect(await page.getByTestId("sleep-banner").count()).toBe(0);
    expect(await page.getByTestId("sub-state").count()).toBe(0);
    // cancelled from the dashboard: no event to name
    expect(await page.getByTestId("cancelled-by").count()).toBe(0);
    runs.cancelled = run.id;
  });

  it("shows a run waiting in step.waitForEvent, which completes when the matching event is sent from the Send event dialog", async () => {
    const [eventId] = await send({ name: "shop/expense.submitted", data: { expenseId: "e_77", amount: 250 } });
    const run = await runOf(eventId as string, "shop-expense-approval");
    await waitFor(async () => (await detail(run.id)).waits.length === 1);
    const page = await open(`/runs/${run.id}`);
    const banner = page.getByTestId("wait-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("shop/expense.approved");
    expect(await page.getByTestId("sub-state").textContent()).toBe("Waiting for shop/expense.approved");
    const wait = stepRow(page, "wait-for-approval");
    await wait.locator('[data-bar-kind="waiting"]').waitFor();
    expect(await wait.locator('[title="step.waitForEvent"]').count()).toBe(1);
    await wait.click();
    expect(await page.getByTestId("step-panel").getAttribute("data-step-status")).toBe("Waiting");
    expect(await page.getByTestId("step-panel").textContent()).toContain("Times out");
    await screenshot(page, "sdk-run-waiting-light");

    // An approval for another expense does not match: the run keeps waiting.
    const editor = page.locator(".cm-content");
    await page.getByTestId("send-awaited-event").click();
    await editor.waitFor();
    expect(await editor.textContent()).toContain('"expenseId": "e_77"');
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText('{"name": "shop/expense.approved", "data": {"expenseId": "e_other", "by": "mallory"}}');
    await page.getByTestId("send-event-submit").click();
    await page.getByText("Event sent").first().waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    expect((await detail(run.id)).run.status).toBe("Running");
    expect(await page.locator('[data-run-status="Running"]').count()).toBe(1);

    // The dialog is prefilled with the matching fields; the approver is added, and the run completes.
    await page.getByTestId("send-awaited-event").click();
    await editor.waitFor();
    const prefilled = JSON.parse((await editor.textContent()) as string) as { name: string; data: Record<string, unknown> };
    expect(prefilled).toEqual({ name: "shop/expense.approved", data: { expenseId: "e_77" } });
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(JSON.stringify({ ...prefilled, data: { ...prefilled.data, by: "ada" } }));
    await page.getByTestId("send-event-submit").click();
    await page.locator('[data-run-status="Completed"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("run-output").textContent()).toContain('"by": "ada"');
    await wait.locator('[data-bar-kind="waiting"]').waitFor();
    expect(await wait.getByTestId("row-summary").textContent()).toMatch(/^waited /);
    expect(await page.getByTestId("wait-banner").count()).toBe(0);
    expect((await counts())[`expense:${run.id}:pay-out`]).toBe(1);
    expect(await page.getByTestId("sub-state").count()).toBe(0);
    runs.waited = run.id;

    // The wait step names the event that resumed it, linked; the event's page lists the run it resumed.
    const approval = (await detail(run.id)).steps.find((s) => s.op === "WaitForEvent")?.resolvedBy;
    expect(approval?.name).toBe("shop/expense.approved");
    await wait.click();
    const link = page.getByTestId("resumed-by-link");
    expect(await page.getByTestId("resumed-by").textContent()).toContain("Resumed by event");
    expect(await link.textContent()).toBe("shop/expense.approved");
    expect(await link.getAttribute("href")).toBe(`/events/${approval?.id}`);
    await screenshot(page, "sdk-run-resumed-by-light");
    await link.click();
    await page.waitForURL(`**/events/${approval?.id}`);
    const resumed = page.locator(`[data-testid="event-resumed-runs"] tr[data-run-id="${run.id}"]`);
    await resumed.waitFor();
    expect(await resumed.textContent()).toContain("in step wait-for-approval");
    expect(await page.getByTestId("event-runs").count()).toBe(0);
    expect(await page.getByTestId("event-cancelled-runs").count()).toBe(0);
    await screenshot(page, "sdk-event-resumed-light");
    await resumed.click();
    await page.waitForURL(`**/runs/${run.id}`);
    runs.approval = approval?.id as string;
  });

  it("shows a waiting run's badge in the list, and the event whose cancelOn cancelled it on the run and the event", async () => {
    const [eventId] = await send({ name: "shop/expense.submitted", data: { expenseId: "e_99", amount: 90 } });
    const run = await runOf(eventId as string, "shop-expense-approval");
    await waitFor(async () => (await detail(run.id)).waits.some((w) => w.kind === "wait"));
    const page = await open("/runs?function=shop-expense-approval");
    const row = page.locator(`tr[data-run-id="${run.id}"]`);
    const badge = row.locator('[data-sub-state="Waiting"]');
    await badge.waitFor();
    expect(await badge.textContent()).toBe("Waiting for shop/expense.approved");

    // Withdrawing the expense cancels the run (cancelOn): the row turns Cancelled live, without its badge.
    await send({ name: "shop/expense.withdrawn", data: { expenseId: "e_other" } });
    const [withdrawn] = await send({ name: "shop/expense.withdrawn", data: { expenseId: "e_99" } });
    await page.locator(`tr[data-run-id="${run.id}"][data-status="Cancelled"]`).waitFor();
    expect(await badge.count()).toBe(0);

    await row.click();
    await page.waitForURL(`**/runs/${run.id}`);
    const link = page.getByTestId("cancelled-by-link");
    await link.waitFor();
    expect(await page.getByTestId("cancelled-by").textContent()).toContain("Cancelled by event");
    expect(await link.textContent()).toBe("shop/expense.withdrawn");
    expect(await link.getAttribute("href")).toBe(`/events/${withdrawn}`);
    await screenshot(page, "sdk-run-cancelled-by-event-light");
    await link.click();
    await page.waitForURL(`**/events/${withdrawn}`);
    await page.locator(`[data-testid="event-cancelled-runs"] tr[data-run-id="${run.id}"]`).waitFor();
    expect(await page.getByTestId("event-resumed-runs").count()).toBe(0);
    runs.cancelledOn = run.id;
    runs.withdrawn = withdrawn as string;
  });

  it("shows skipped runs and their reasons in the lists and on the run page", async () => {
    const ids = await send([
      { name: "shop/digest.requested", data: { userId: "u_5", digestId: "d_5a" } },
      { name: "shop/digest.requested", data: { userId: "u_5", digestId: "d_5b" } },
    ]);
    const skipped = await runOf(ids[1] as string, "shop-send-digest", "Skipped");
    await runOf(ids[0] as string, "shop-send-digest", "Completed");
    runs.skipped = skipped.id;

    const page = await open("/runs?status=Skipped");
    const row = page.locator(`tr[data-run-id="${skipped.id}"]`);
    await row.waitFor();
    expect(await row.getByTestId("status-reason-line").textContent()).toContain(
      'Rate limit: more than 1 run per 1m for key "u_5"',
    );
    expect(await row.getByText("Skipped", { exact: true }).isVisible()).toBe(true);
    await screenshot(page, "sdk-runs-skipped-light");

    await row.click();
    await page.waitForURL(`**/runs/${skipped.id}`);
    expect(await page.getByTestId("skipped-panel").textContent()).toContain('Rate limit: more than 1 run per 1m for key "u_5"');
    expect(await page.getByTestId("timeline").count()).toBe(0);
    await screenshot(page, "sdk-run-skipped-light");

    await page.goto(`${server.url}/events/${ids[1]}`);
    await page.locator(`[data-testid="event-runs"] tr[data-run-id="${skipped.id}"]`).waitFor();
    expect(await page.getByTestId("event-runs").getByTestId("status-reason-line").textContent()).toContain("Rate limit");
    const event = (await api<EventDetail>(server, "GET", `/api/v1/events/${ids[1]}`)).body;
    expect(event.runs[0]?.statusReason).toContain("rateLimit");
  });

  it("narrows the runs list to a custom time range kept in the URL", async () => {
    // whole seconds: the date-time inputs have second precision
    const from = Math.floor(Date.now() / 1000) * 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const [inside] = await send({ name: "shop/order.placed", data: { orderId: "o_inside" } });
    const insideRun = await runOf(inside as string, "shop-fulfil-order");
    const to = (Math.floor(Date.now() / 1000) + 1) * 1000;
    await new Promise((r) => setTimeout(r, to - Date.now() + 1100));
    const [outside] = await send({ name: "shop/order.placed", data: { orderId: "o_outside" } });
    const outsideRun = await runOf(outside as string, "shop-fulfil-order");

    const page = await open("/runs?function=shop-fulfil-order");
    await page.locator(`tr[data-run-id="${outsideRun.id}"]`).waitFor();
    expect(await page.locator("tr[data-run-id]").count()).toBeGreaterThanOrEqual(4);
    await page.getByTestId("time-range").click();
    const local = (ms: number) => {
      const d = new Date(ms);
      const p = (n: number) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    };
    // a "to" before "from" is refused
    await page.getByTestId("range-from").fill(local(to));
    await page.getByTestId("range-to").fill(local(from));
    expect(await page.getByRole("alert").filter({ hasText: "must be before" }).count()).toBe(1);
    expect(await page.getByTestId("range-apply").isDisabled()).toBe(true);
    await page.getByTestId("range-from").fill(local(from));
    await page.getByTestId("range-to").fill(local(to));
    await screenshot(page, "runs-custom-range-light");
    await page.getByTestId("range-apply").click();
    await page.waitForURL((url) => url.searchParams.has("from") && url.searchParams.has("to"));
    const url = new URL(page.url());
    expect(Date.parse(url.searchParams.get("from") as string)).toBe(from);
    expect(Date.parse(url.searchParams.get("to") as string)).toBe(to);
    expect(url.searchParams.get("function")).toBe("shop-fulfil-order");
    const onlyInside = () =>
      page.waitForFunction((id) => {
        const rows = [...document.querySelectorAll("tr[data-run-id]")];
        return rows.length === 1 && rows[0]?.getAttribute("data-run-id") === id;
      }, insideRun.id);
    await onlyInside();

    // the range survives a reload (the server renders the same list) and shows in the picker
    await page.reload();
    await onlyInside();
    expect(await page.getByTestId("time-range").textContent()).toContain("→");
    await page.getByTestId("time-range").click();
    await page.getByRole("button", { name: "Last hour" }).click();
    await page.waitForURL((u) => u.searchParams.get("range") === "1h" && !u.searchParams.has("from"));
    await page.locator(`tr[data-run-id="${outsideRun.id}"]`).waitFor();
  });

  it("looks right on every page in light and dark, with realistic SDK runs", async () => {
    // a batch, a failure and a cron run for the screenshots
    const rows = await send([1, 2, 3].map((i) => ({ name: "shop/row.uploaded", data: { row: i } })));
    const batch = await runOf(rows[0] as string, "shop-import-rows", "Completed");
    const [crm] = await send({ name: "shop/customer.updated", data: { id: "c_42" } });
    const failed = await runOf(crm as string, "shop-sync-crm", "Failed");
    const cron = await waitFor(
      async () =>
        (await api<RunList>(server, "GET", "/api/v1/runs?functionId=shop-nightly-report&status=Completed")).body.data[0],
      40_000,
      "a cron run",
    );
    // the batch's later events list the batch run too
    const third = (await api<EventDetail>(server, "GET", `/api/v1/events/${rows[2]}`)).body;
    expect(third.runs.map((r) => r.id)).toEqual([batch.id]);

    const pages: [string, string][] = [
      ["home", "/"],
      ["run-waited", `/runs/${runs.waited}`],
      ["run-cancelled", `/runs/${runs.cancelled}`],
      ["run-failed", `/runs/${failed.id}`],
      ["run-batch", `/runs/${batch.id}`],
      ["run-cron", `/runs/${cron.id}`],
      ["run-skipped", `/runs/${runs.skipped}`],
      ["run-cancelled-on", `/runs/${runs.cancelledOn}`],
      ["event-resumed", `/events/${runs.approval}`],
      ["event-cancelled", `/events/${runs.withdrawn}`],
      ["events", "/events"],
      ["event-batch", `/events/${rows[2]}`],
      ["functions", "/functions"],
      ["function-flow", "/functions/shop-reindex-search"],
      ["function-limits", "/functions/shop-sync-inventory"],
      ["apps", "/apps"],
    ];
    for (const dark of [false, true])
      for (const [name, path] of pages) {
        const page = await open(path, { dark });
        await page.waitForLoadState("networkidle");
        await screenshot(page, `sdk-${name}-${dark ? "dark" : "light"}`);
        await current!.context.close();
        current = undefined;
      }

    const page = await open("/functions/shop-sync-inventory");
    const config = page.getByTestId("function-config");
    for (const [rule, text] of [
      ["concurrency", "1 step at once per event.data.warehouse"],
      ["throttle", "10 starts per 1m (+2 burst) per event.data.warehouse"],
      ["priority", "event.data.urgent == true ? 120 : 0"],
      ["timeouts", "cancelled if not finished within 1h"],
      ["cancel", "shop/warehouse.closed"],
    ] as const)
      expect(await config.locator(`[data-config="${rule}"]`).textContent()).toContain(text);
  }, 240_000);
});
