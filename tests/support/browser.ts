import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

import { inCI } from "./db";

/**
 * Debian's Chromium driven by playwright-core, for the dashboard's browser tests. Outside CI a
 * missing Chromium skips the file loudly; in CI it fails (`apt-get install -y chromium`).
 */
const CANDIDATES = [process.env.STEPWISE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(
  (p): p is string => !!p,
);
export const chromiumPath = CANDIDATES.find((p) => existsSync(p));
export const SCREENSHOTS = path.resolve(import.meta.dirname, "..", "..", "test-output", "screenshots");

export function skipWithoutChromium(): boolean {
  if (chromiumPath) return false;
  if (inCI)
    throw new Error(`Chromium not found (${CANDIDATES.join(", ")}); CI must run the browser tests: apt-get install -y chromium`);
  console.warn("\n*** SKIPPING browser tests: no Chromium found. Install it with: apt-get install -y chromium ***\n");
  return true;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface DashboardPage {
  page: Page;
  context: BrowserContext;
  /** errors thrown in the page (hydration errors included) */
  errors: string[];
}

export async function openPage(browser: Browser, options: { dark?: boolean } = {}): Promise<DashboardPage> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: options.dark ? "dark" : "light",
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, context, errors };
}

/** Saves a screenshot of the page as test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}
