import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { EventDetail } from "@/lib/contracts/events";
import type { RunDetail, RunList } from "@/lib/contracts/runs";

import { launchBrowser, openPage, screenshot, skipWithoutChromium, type DashboardPage } from "../support/browser";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = skipWithoutChromium();

/**
 * The dashboard in a real browser against a real server with real runs (plain HTTP functions):
 * live lists, the run timeline, rerun, cancel, send event, filters and search, pause, keyboard
 * navigation, and payloads rendered as text. Screenshots of every page, in both themes, land in
 * test-output/screenshots/.
 */
describe.skipIf(skip)("dashboard in the browser", () => {
  let server: TestServer;
  let app: FunctionApp;
  let browser: Browser;
  let current: DashboardPage | undefined;
  const held: (() => void)[] = [];

  beforeAll(async () => {
    [server, app, browser] = await Promise.all([
      startServer(),
      startFunctionApp(async (call) => {
        if (call.path === "/flaky")
          return call.body.attempt < 2
            ? {
                status: 500,
                body: {
                  name: "UpstreamError",
                  message: `upstream said 502 (attempt ${call.body.attempt})`,
                  stack: "UpstreamError: upstream said 502\n    at charge (billing.js:42:11)",
                },
              }
            : { body: { charged: true, attempt: call.body.attempt } };
        if (call.path === "/hold") {
          await new Promise<void>((r) => {
            held.push(r);
            setTimeout(r, 60_000);
          });
          return { body: { report: "done" } };
        }
        if (call.path === "/fail") return { status: 400, body: { name: "ValidationError", message: "amount must be positive" } };
        return { body: { greeted: call.body.event.data.userId ?? null } };
      }),
      launchBrowser(),
    ]);
    for (const fn of [
      { name: "Send welcome email", id: "greet", triggers: [{ event: "user/signed.up" }], url: `${app.url}/ok` },
      {
        name: "Charge subscription",
        id: "charge",
        triggers: [{ event: "billing/due" }],
        url: `${app.url}/flaky`,
        retries: 3,
        concurrency: 5,
      },
      {
        name: "Generate report",
        id: "report",
        triggers: [{ event: "reports/requested" }],
        url: `${app.url}/hold`,
        retries: 0,
        timeout: 120_000,
      },
      {
        name: "Validate order",
        id: "validate",
        triggers: [{ event: "shop/order", expression: "event.data.amount < 100" }],
        url: `${app.url}/fail`,
        retries: 0,
      },
    ])
      expect((await api(server, "POST", "/api/v1/functions", fn)).status).toBe(201);
  });
  afterEach(async () => {
    if (current) {
      expect(current.errors, "errors thrown in the page").toEqual([]);
      await current.context.close();
      current = undefined;
    }
  });
  afterAll(async () => {
    for (const r of held) r();
    await browser?.close();
    await app?.close();
    await server?.dispose();
  });

  const open = async (path: string, options: { dark?: boolean; height?: number } = {}) => {
    current = await openPage(browser, options);
    if (options.height) await current.page.setViewportSize({ width: 1440, height: options.height });
    await current.page.goto(server.url + path);
    await current.page.getByTestId("live-indicator").and(current.page.locator('[data-state="open"]')).waitFor();
    return current.page;
  };
  const send = async (event: unknown) => (await api<{ ids: string[] }>(server, "POST", "/e/test", event)).body.ids[0] as string;
  const runFor = (eventId: string, status?: string) =>
    waitFor(
      async () => {
        const runs = (await api<RunList>(server, "GET", "/api/v1/runs?limit=200")).body.data;
        const run = runs.find((r) => r.eventId === eventId);
        return run && (!status || run.status === status) ? run : null;
      },
      30_000,
      `a ${status ?? ""} run for ${eventId}`,
    );
  const detail = async (runId: string) => (await api<RunDetail>(server, "GET", `/api/v1/runs/${runId}`)).body;
  const row = (page: Page, runId: string) => page.locator(`tr[data-run-id="${runId}"]`);

  it("shows a new run and its status changes live, without reloading", async () => {
    const page = await open("/runs");
    await page.getByText("No runs yet").waitFor();
    await screenshot(page, "runs-empty-light");
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const eventId = await send({ name: "user/signed.up", data: { userId: "1" } });
    const run = await runFor(eventId);
    await row(page, run.id).waitFor();
    await row(page, run.id).and(page.locator('[data-status="Completed"]')).waitFor();
    expect(await row(page, run.id).textContent()).toContain("user/signed.up");
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  });

  it("keeps the rows still while the reader is scrolled down, behind a 'new runs' button", async () => {
    for (let i = 2; i <= 14; i++) await send({ name: "user/signed.up", data: { userId: String(i) } });
    await waitFor(
      async () => (await api<RunList>(server, "GET", "/api/v1/runs?functionId=greet&status=Completed")).body.data.length >= 14,
    );
    const page = await open("/runs", { height: 480 });
    await page.locator("tr[data-run-id]").nth(13).waitFor();
    await page.mouse.wheel(0, 300);
    await page.waitForFunction(() => window.scrollY > 100);
    const firstBefore = await page.locator("tr[data-run-id]").first().getAttribute("data-run-id");
    const top = await page.locator("tr[data-run-id]").nth(5).boundingBox();

    const run = await runFor(await send({ name: "user/signed.up", data: { userId: "15" } }));
    await page.getByTestId("new-runs").waitFor();
    expect(await page.getByTestId("new-runs").textContent()).toContain("1 new run");
    expect(await page.locator("tr[data-run-id]").first().getAttribute("data-run-id")).toBe(firstBefore);
    expect((await page.locator("tr[data-run-id]").nth(5).boundingBox())?.y).toBe(top?.y);

    await page.getByTestId("new-runs").click();
    await page.waitForFunction((id) => document.querySelector("tr[data-run-id]")?.getAttribute("data-run-id") === id, run.id);
  });

  it("shows each attempt on the run's timeline, with its output and error", async () => {
    const eventId = await send({ name: "billing/due", data: { userId: "42", amount: 4900 } });
    const run = await runFor(eventId, "Completed");
    for (const dark of [false, true]) {
      const page = await open(`/runs/${run.id}`, { dark });
      const timeline = page.getByTestId("timeline");
      await timeline.getByTestId("step-name").filter({ hasText: "POST /flaky" }).waitFor();
      expect(await timeline.locator('[data-step-row] [data-bar-kind="failed"]').count()).toBe(2);
      expect(await timeline.locator('[data-step-row] [data-bar-kind="completed"]').count()).toBe(1);
      expect(await page.getByTestId("selected-step").textContent()).toBe("POST /flaky");
      expect(await page.getByTestId("json-view").first().textContent()).toContain('"charged": true');
      expect(await page.getByTestId("attempts").textContent()).toContain("2 retries");
      expect(await page.getByTestId("run-output").textContent()).toContain('"attempt": 2');
      await screenshot(page, `run-${dark ? "dark" : "light"}`);
      if (!dark) {
        await page.getByRole("tab", { name: "Attempt 1" }).click();
        expect(await page.getByTestId("error-view").textContent()).toContain("upstream said 502 (attempt 0)");
        await screenshot(page, "run-failed-attempt-light");
      }
    }
  });

  it("reruns a run, and reruns it from a step, as new runs linked to the original", async () => {
    const original = (await api<RunList>(server, "GET", "/api/v1/runs?functionId=charge")).body.data[0]!;
    const page = await open(`/runs/${original.id}`);
    await page.getByTestId("rerun").click();
    await page.waitForURL((url) => url.pathname.startsWith("/runs/") && !url.pathname.endsWith(original.id));
    const rerunId = page.url().split("/").pop()!;
    await page.getByTestId("origin-link").filter({ hasText: original.id }).waitFor();

    await page.goto(`${server.url}/runs/${original.id}`);
    await page.getByTestId("rerun-from-step").click();
    await page.waitForURL((url) => !url.pathname.endsWith(original.id) && !url.pathname.endsWith(rerunId));
    const fromStepId = page.url().split("/").pop()!;
    await page.getByTestId("origin-link").waitFor();
    // the step is named as the original run shows it (its id is "call")
    expect(await page.getByTestId("origin").textContent()).toContain("from step POST /flaky");

    const origin = await detail(original.id);
    expect(origin.reruns.map((r) => r.id).sort()).toEqual([rerunId, fromStepId].sort());
    expect((await detail(fromStepId)).run).toMatchObject({
      originRunId: original.id,
      originStepId: "call",
      eventIds: origin.run.eventIds,
    });
    await waitFor(async () => (await detail(rerunId)).run.status === "Completed");
  });

  it("cancels a running run from its page", async () => {
    const run = await runFor(await send({ name: "reports/requested", data: { range: "30d" } }), "Running");
    const page = await open(`/runs/${run.id}`);
    await page.locator('[data-run-status="Running"]').waitFor();
    await page.locator('[data-bar-kind="running"]').first().waitFor();
    await screenshot(page, "run-running-light");
    await page.getByTestId("cancel-run").click();
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.locator('[data-run-status="Cancelled"]').waitFor();
    expect((await detail(run.id)).run.status).toBe("Cancelled");
    const calls = app.calls.filter((c) => c.path === "/hold").length;
    for (const r of held.splice(0)) r();
    await new Promise((r) => setTimeout(r, 500));
    expect((await detail(run.id)).run.status).toBe("Cancelled");
    expect(app.calls.filter((c) => c.path === "/hold").length).toBe(calls);
  });

  it("sends an event from the editor (validated as /e/<key>) and the run it starts appears", async () => {
    const page = await open("/events");
    await page.getByTestId("send-event").click();
    const editor = page.locator(".cm-content");
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText('{"data": {"userId": "ui-77"}}');
    await page.getByTestId("send-event-submit").click();
    expect(await page.getByTestId("send-event-error").textContent()).toContain("name");

    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText('{"name": "user/signed.up", "data": {"userId": "ui-77", "plan": "pro"}}');
    await screenshot(page, "send-event-light");
    await page.getByTestId("send-event-submit").click();
    await page.getByText("Event sent").waitFor();
    const event = await waitFor(async () => {
      const runs = (await api<RunList>(server, "GET", `/api/v1/runs?q=${encodeURIComponent('event.data.userId == "ui-77"')}`))
        .body.data;
      return runs[0];
    });
    await page.locator(`tr[data-event-id="${event.eventId}"]`).waitFor();
    expect(await page.locator(`tr[data-event-id="${event.eventId}"]`).textContent()).toContain('"userId":"ui-77"');
  });

  it("narrows the runs list with the status and function filters and a CEL search", async () => {
    await runFor(await send({ name: "shop/order", data: { amount: -5 } }), "Failed");
    const page = await open("/runs");
    await page.locator("tr[data-run-id]").first().waitFor();
    const total = await page.locator("tr[data-run-id]").count();

    await page.getByTestId("runs-search").fill('event.data.userId == "ui-77"');
    await page.getByTestId("runs-search").press("Enter");
    await page.waitForURL(/q=/);
    await page.waitForFunction(() => document.querySelectorAll("tr[data-run-id]").length === 1);
    expect(await page.locator("tr[data-run-id]").first().getAttribute("data-function-id")).toBe("greet");
    await screenshot(page, "runs-search-light");

    await page.getByTestId("runs-search").fill("event.data.userId ==");
    await page.getByTestId("runs-search").press("Enter");
    expect(await page.getByTestId("search-error").textContent()).toContain("invalid expression");
    await page.getByRole("button", { name: "Clear search" }).click();
    await page.waitForFunction((n) => document.querySelectorAll("tr[data-run-id]").length === n, total);

    await page.getByRole("button", { name: "Statuses" }).click();
    await page.getByRole("menuitemcheckbox", { name: "Failed" }).click();
    await page.keyboard.press("Escape");
    await page.waitForURL(/status=Failed/);
    // (rows present: while the filtered list loads there are none, and "every" would hold)
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll("tr[data-run-id]")];
      return rows.length > 0 && rows.every((r) => r.getAttribute("data-status") === "Failed");
    });
    expect(await page.locator("tr[data-run-id]").count()).toBe(1);

    await page.goto(`${server.url}/runs`);
    await page.getByRole("combobox", { name: "Function" }).click();
    await page.getByRole("option", { name: "Charge subscription" }).click();
    await page.waitForURL(/function=charge/);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll("tr[data-run-id]")];
      return rows.length > 0 && rows.every((r) => r.getAttribute("data-function-id") === "charge");
    });
    expect(await page.locator("tr[data-run-id]").count()).toBe(3);
  });

  it("moves through the runs table with the keyboard and opens a run with Enter", async () => {
    const page = await open("/runs");
    const rows = page.locator("tr[data-run-id]");
    await rows.first().waitFor();
    const second = await rows.nth(1).getAttribute("data-run-id");
    await rows.first().focus();
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-run-id"))).toBe(second);
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/runs/${second}`);
  });

  it("finds a run by id from the top bar search", async () => {
    const run = (await api<RunList>(server, "GET", "/api/v1/runs?functionId=validate")).body.data[0]!;
    const page = await open("/events");
    await page.keyboard.press("Control+K");
    await page.getByTestId("global-search-input").fill(run.id);
    // the run's inngest/function.failed event has the same id: both are offered, the run first
    await page.getByRole("option", { name: new RegExp(`${run.id}.*Validate order`) }).waitFor();
    await page.getByRole("option", { name: new RegExp(`${run.id}.*inngest/function.failed`) }).waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/runs/${run.id}`);
  });

  it("pauses a function: events are still stored but start no runs until it is resumed", async () => {
    const page = await open("/functions/greet");
    await page.getByTestId("pause-function").click();
    await page.getByRole("button", { name: "Pause function" }).click();
    await page.getByTestId("paused-badge").first().waitFor();
    await screenshot(page, "function-paused-light");

    const eventId = await send({ name: "user/signed.up", data: { userId: "while-paused" } });
    await new Promise((r) => setTimeout(r, 1500));
    const stored = (await api<EventDetail>(server, "GET", `/api/v1/events/${eventId}`)).body;
    expect(stored.event.data).toEqual({ userId: "while-paused" });
    expect(stored.runs).toEqual([]);

    await page.getByTestId("resume-function").click();
    await page.locator('[data-paused="false"]').waitFor();
    await runFor(await send({ name: "user/signed.up", data: { userId: "after-resume" } }), "Completed");
  });

  it("invokes a function and cancels its runs in bulk from the function page", async () => {
    const page = await open("/functions/report");
    await page.getByTestId("invoke").click();
    await page.getByTestId("invoke-submit").click();
    await page.waitForURL(/\/runs\/[0-9A-Z]{26}$/);
    const runId = page.url().split("/").pop()!;
    await page.locator('[data-run-status="Running"]').waitFor();
    expect((await detail(runId)).run.trigger).toBe("invoke");

    await page.goto(`${server.url}/functions/report`);
    await page.getByTestId("cancel-runs").click();
    await page.getByTestId("cancel-if").fill("event.data.nothing == true");
    await page.getByTestId("cancel-runs-submit").click();
    await page.getByText("Cancelled 0 runs").waitFor();
    await page.getByTestId("cancel-runs").click();
    await page.getByTestId("cancel-runs-submit").click();
    await page.getByText("Cancelled 1 run").waitFor();
    expect((await detail(runId)).run.status).toBe("Cancelled");
    await page.getByTestId("cancellations").waitFor();
    for (const r of held.splice(0)) r();
  });

  it("renders a payload containing HTML as text, never as markup", async () => {
    const note = `<script>window.__xss = 1</script><img src="x" onerror="window.__xss = 2">`;
    const eventId = await send({ name: "shop/order", data: { amount: 5, note } });
    const run = await runFor(eventId, "Failed");
    for (const path of [`/events/${eventId}`, `/runs/${run.id}`, "/events"]) {
      const page = await open(path);
      await page.getByText(note.slice(0, 20)).first().waitFor();
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      if (path.startsWith("/events/")) {
        expect(await page.getByTestId("json-view").first().textContent()).toContain('"<script>window.__xss = 1</script>');
        await screenshot(page, "event-light");
      }
      await current!.context.close();
      expect(current!.errors).toEqual([]);
      current = undefined;
    }
  });

  it("looks right on every page in light and dark", async () => {
    const run = (await api<RunList>(server, "GET", "/api/v1/runs?functionId=charge")).body.data[0]!;
    const event = (await api<RunList>(server, "GET", "/api/v1/runs?functionId=greet")).body.data[0]!;
    const pages: [string, string][] = [
      ["runs", "/runs"],
      ["run", `/runs/${run.id}`],
      ["events", "/events"],
      ["event", `/events/${event.eventId}`],
      ["functions", "/functions"],
      ["function", "/functions/charge"],
      ["apps", "/apps"],
      ["not-found", "/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV"],
    ];
    for (const dark of [false, true]) {
      for (const [name, path] of pages) {
        const page = await open(path, { dark });
        await page.waitForLoadState("networkidle");
        expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(dark);
        await screenshot(page, `${name}-${dark ? "dark" : "light"}`);
        await current!.context.close();
        current = undefined;
      }
    }
  }, 180_000);
});

describe.skipIf(skip)("dashboard of a production server", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServer({ mode: "start", args: ["--event-key", "prod-key", "--signing-key", "signkey-prod-0123456789abcdef"] }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it("asks for a login, then says Production, unmistakably; logging out asks again", async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto(`${server.url}/runs`);
    await page.waitForURL(/\/login\?next=/);
    await screenshot(page, "login-light");
    await page.getByTestId("login-password").fill("not the key");
    await page.getByTestId("login-submit").click();
    await page.getByText("That password is not right.").waitFor();
    await page.getByTestId("login-password").fill("signkey-prod-0123456789abcdef");
    await page.getByTestId("login-submit").click();
    await page.waitForURL(`${server.url}/runs`);
    const badge = page.getByTestId("server-mode");
    expect(await badge.getAttribute("data-mode")).toBe("start");
    expect(await badge.textContent()).toContain("Production");
    expect(await page.getByTestId("mode-stripe").evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(
      "rgba(0, 0, 0, 0)",
    );
    await screenshot(page, "runs-production-light");
    await page.getByTestId("logout").click();
    await page.waitForURL(/\/login/);
    await page.goto(`${server.url}/functions`);
    await page.waitForURL(/\/login\?next=%2Ffunctions/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
