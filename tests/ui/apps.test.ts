import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { AppDto } from "@/lib/contracts/apps";
import type { FunctionDto } from "@/lib/contracts/functions";

import { launchBrowser, openPage, screenshot, skipWithoutChromium, type DashboardPage } from "../support/browser";
import { freePort, startSdkApp, type SdkApp } from "../support/sdk-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = skipWithoutChromium();

/**
 * The Apps page against a real server and a real Inngest SDK app (v3, its own process): add
 * by URL, what the sync found (SDK, framework, functions, last sync), resync, remove (its
 * functions go too), and sync errors for a URL nothing answers and one that is not an SDK.
 */
describe.skipIf(skip)("apps page", () => {
  let server: TestServer;
  let app: SdkApp;
  let browser: Browser;
  let current: DashboardPage | undefined;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    app = await startSdkApp({ version: 3, serverUrl: server.url, appId: "billing" });
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
  const apps = async () => (await api<{ data: AppDto[] }>(server, "GET", "/api/v1/apps")).body.data;
  const functionsOf = async (appId: string) =>
    (await api<{ data: FunctionDto[] }>(server, "GET", "/api/v1/functions")).body.data.filter((f) => f.appId === appId);

  it("adds an app by URL and shows its SDK, framework, functions and last sync; resyncs it; removes it and its functions", async () => {
    const page = await open("/apps");
    await page.getByText("No apps synced yet").waitFor();
    await screenshot(page, "apps-empty-light");

    await page.getByTestId("add-app").click();
    await page.getByTestId("app-url").fill(app.url);
    await page.getByTestId("add-app-submit").click();
    const row = page.locator('tr[data-app-id="billing"]');
    await row.waitFor();
    expect(await page.getByRole("dialog").count()).toBe(0);

    const [synced] = await apps();
    const functions = await functionsOf("billing");
    expect(synced).toMatchObject({ id: "billing", url: app.url, sdkLanguage: "js", sdkVersion: "3.54.2", syncError: null });
    expect(functions.length).toBeGreaterThan(10);
    expect(synced?.functionCount).toBe(functions.length);
    expect(await row.getAttribute("data-sync-state")).toBe("ok");
    expect(await row.getByTestId("app-sdk").textContent()).toContain("JS SDK 3.54.2");
    expect(await row.getByTestId("app-framework").textContent()).toBe(synced?.framework);
    expect(synced?.framework).toBeTruthy();
    expect(await row.getByTestId("app-functions").textContent()).toBe(String(functions.length));
    expect(await row.getByTestId("app-last-sync").textContent()).toMatch(/just now|\ds ago/);
    expect(await row.textContent()).toContain(app.url);
    await screenshot(page, "apps-light");

    // its functions are listed, under the app
    await page.getByRole("link", { name: "Functions" }).click();
    await page.locator('[data-function-id="billing-memo"]').waitFor();
    expect(await page.locator("[data-function-id^='billing-']").count()).toBe(functions.length);

    // Resync: a new sync time, the same functions
    await page.getByRole("link", { name: "Apps" }).click();
    const before = synced?.lastSyncedAt as string;
    await new Promise((r) => setTimeout(r, 20));
    await page.locator('tr[data-app-id="billing"]').getByRole("button", { name: "Resync now" }).click();
    // (the toast of the first sync says the same: wait for the server's record to move on)
    const resynced = await waitFor(async () => {
      const [a] = await apps();
      return a && Date.parse(a.lastSyncedAt as string) > Date.parse(before) ? a : null;
    });
    expect(resynced).toMatchObject({ syncError: null, functionCount: functions.length });
    await page.getByText(`billing synced: ${functions.length} functions`).nth(1).waitFor();

    // Remove: the app and its functions are gone
    await page.locator('tr[data-app-id="billing"]').getByRole("button", { name: "Remove app" }).click();
    await page.getByRole("button", { name: "Remove app" }).last().click();
    await page.locator('tr[data-app-id="billing"]').waitFor({ state: "detached" });
    await page.getByText("No apps synced yet").waitFor();
    expect(await apps()).toEqual([]);
    expect(await functionsOf("billing")).toEqual([]);
    await page.getByRole("link", { name: "Functions" }).click();
    await page.getByText("No functions yet").waitFor();
  });

  it("shows the sync error of a URL nothing answers and of one that is not an Inngest SDK, in the dialog and on the app's row", async () => {
    const page = await open("/apps");
    const deadUrl = `http://127.0.0.1:${await freePort()}/api/inngest`;
    await page.getByTestId("add-app").click();
    await page.getByTestId("app-url").fill(deadUrl);
    await page.getByTestId("add-app-submit").click();
    const alert = page.getByRole("dialog").getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Could not sync: .*(ECONNREFUSED|refused|connect)/i);
    await screenshot(page, "apps-add-error-light");
    await page.keyboard.press("Escape");

    // The app is kept (polling and Resync retry it), with the error on its row.
    const dead = await waitFor(async () => (await apps()).find((a) => a.url === deadUrl));
    expect(dead.syncError).toBeTruthy();
    const deadError = page.locator(`tr[data-app-error="${dead.id}"]`).getByTestId("app-sync-error");
    await deadError.waitFor();
    expect(await deadError.textContent()).toContain(dead.syncError as string);
    expect(await page.locator(`tr[data-app-id="${dead.id}"]`).getAttribute("data-sync-state")).toBe("error");

    // A URL that answers, but not as an Inngest SDK: the error says what is wrong.
    const notSdk = `${server.url}/health`;
    await page.getByTestId("add-app").click();
    await page.getByTestId("app-url").fill(notSdk);
    await page.getByTestId("add-app-submit").click();
    await page.getByRole("dialog").getByRole("alert").filter({ hasText: "not an Inngest serve endpoint" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("app-sync-error").filter({ hasText: "not an Inngest serve endpoint" }).waitFor();
    expect(await page.getByTestId("app-sync-error").count()).toBe(2);
    await screenshot(page, "apps-errors-light");

    // an invalid URL is refused before anything is stored
    await page.getByTestId("add-app").click();
    await page.getByTestId("app-url").fill("ftp://example.com/inngest");
    await page.getByTestId("add-app-submit").click();
    await page.getByRole("dialog").getByRole("alert").filter({ hasText: "http(s) URL" }).waitFor();
    expect(await apps()).toHaveLength(2);
  });
});
