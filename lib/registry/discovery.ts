import net from "node:net";

import type { ServerOptions } from "@/lib/config/options";
import { httpCall } from "@/lib/http/client";
import { logger } from "@/lib/logger";

import { appUrls, normalizeAppUrl } from "./app-store";
import { logSyncOutcome, syncAppByUrl, type AppSyncDeps } from "./app-sync";

/**
 * Keeps apps in sync: the `-u/--sdk-url` apps are synced at start, every known app is re-synced
 * every `--poll-interval` seconds (a sync that changes nothing writes nothing but the time),
 * and in dev the usual local ports and paths are probed for new apps (Inngest's dev-server list).
 * Probing is a TCP connect first, so closed ports cost nothing, and it never logs a miss.
 */
export const DISCOVERY_PORTS = [
  80, 443, 3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 4321, 5000, 5173, 8000, 8080, 8081, 8787, 8888, 8910,
  8911, 8912, 8913, 8914, 8915,
];
/** how long an open port without an SDK endpoint is left alone */
const QUIET_MS = 15_000;

export const DISCOVERY_PATHS = ["/api/inngest", "/x/inngest", "/.netlify/functions/inngest", "/.redwood/functions/inngest"];

export interface PollerOptions extends Pick<ServerOptions, "sdkUrls" | "poll" | "pollInterval" | "discovery" | "mode"> {
  /** this server's own port (never probed) */
  ownPort: number;
}

export class AppPoller {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;
  /** last error per URL, so a failing app is reported once, not every round */
  private readonly lastError = new Map<string, string | null>();
  /** open ports that served no SDK endpoint: not asked again until this time */
  private readonly quietUntil = new Map<number, number>();

  constructor(
    private readonly deps: AppSyncDeps,
    private readonly options: PollerOptions,
  ) {}

  /** Syncs the `-u` apps now (in the background), then polls and discovers if enabled. */
  start(): void {
    this.round = this.initialSync();
    const repeat = this.options.poll || (this.options.discovery && this.options.mode === "dev");
    if (!repeat) return;
    const every = Math.max(0.5, this.options.pollInterval) * 1000;
    const tick = () => {
      if (this.stopped) return;
      this.round = this.round
        .then(() => this.pollRound())
        .catch((error: unknown) => logger.warn({ err: error }, "app polling failed"))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, every);
        });
    };
    this.timer = setTimeout(tick, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round.catch(() => undefined);
  }

  private async initialSync(): Promise<void> {
    for (const raw of this.options.sdkUrls) {
      if (this.stopped) return;
      let url: string;
      try {
        url = normalizeAppUrl(raw);
      } catch {
        logger.warn({ url: raw }, "ignoring --sdk-url: not a URL");
        continue;
      }
      await this.sync(url);
    }
  }

  private async sync(url: string): Promise<void> {
    try {
      const outcome = await syncAppByUrl(this.deps, url);
      logSyncOutcome(this.lastError.get(url), url, outcome);
      this.lastError.set(url, outcome.error);
    } catch (error) {
      logger.warn({ err: error, url }, "app sync failed unexpectedly");
    }
  }

  private async pollRound(): Promise<void> {
    const known = await appUrls(this.deps);
    if (this.options.poll) for (const url of known) if (!this.stopped) await this.sync(url);
    if (this.options.discovery && this.options.mode === "dev" && !this.stopped) await this.discover(new Set(known));
  }

  private async discover(known: Set<string>): Promise<void> {
    const knownPorts = new Set<number>();
    for (const url of known) {
      const u = new URL(url);
      if (u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]")
        knownPorts.add(Number(u.port || (u.protocol === "https:" ? 443 : 80)));
    }
    const now = Date.now();
    const candidates = DISCOVERY_PORTS.filter(
      (p) => p !== this.options.ownPort && !knownPorts.has(p) && (this.quietUntil.get(p) ?? 0) <= now,
    );
    const open = (await Promise.all(candidates.map(async (p) => ((await portOpen(p)) ? p : null)))).filter(
      (p): p is number => p !== null,
    );
    for (const port of open) {
      const base = port === 443 ? `https://127.0.0.1` : `http://127.0.0.1:${port}`;
      let found = false;
      for (const path of DISCOVERY_PATHS) {
        if (this.stopped) return;
        const url = normalizeAppUrl(base + path);
        if (!(await servesInngest(url))) continue;
        logger.info({ url }, "discovered an Inngest app");
        await this.sync(url);
        found = true;
        break;
      }
      // Something else listens there (a web app without Inngest): ask again later, not every round.
      if (!found) this.quietUntil.set(port, Date.now() + QUIET_MS);
    }
  }
}

function portOpen(port: number, timeoutMs = 250): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** An SDK's introspection GET answers with its headers (even when it refuses the request). */
async function servesInngest(url: string): Promise<boolean> {
  try {
    const res = await httpCall("GET", url, { timeoutMs: 2000 });
    return res.headers["x-inngest-sdk"] !== undefined || res.headers["x-inngest-sdk-handled"] !== undefined;
  } catch {
    return false;
  }
}
