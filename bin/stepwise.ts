import { Command, Option } from "commander";

import { OptionsError, optionsFromEnv, parseServerOptions, type ServerOptionsInput } from "@/lib/config/options";
import { logger } from "@/lib/logger";
import { startServer } from "@/server";

/**
 * `stepwise dev` (local dev server: SQLite, any event key, app discovery) and `stepwise start`
 * (production: event and signing keys required). Flags win over STEPWISE_* variables.
 */
const collect = (value: string, previous: string[] = []) => [...previous, value];

function withCommonFlags(cmd: Command): Command {
  return cmd
    .option("-p, --port <port>", "port to listen on (STEPWISE_PORT)")
    .option("--host <host>", "interface to bind (STEPWISE_HOST; default: all)")
    .option("--db <path-or-url>", "SQLite file or postgres:// URL (STEPWISE_DB)")
    .option("-u, --sdk-url <url>", "an app's serve URL to sync; repeatable (STEPWISE_SDK_URL)", collect)
    .option("--poll-interval <seconds>", "seconds between re-syncs of known apps (STEPWISE_POLL_INTERVAL)")
    .option("--workers <n>", "calls to apps in flight at once (STEPWISE_WORKERS)")
    .option("--max-request-bytes <n>", "largest /e/ request body accepted (STEPWISE_MAX_REQUEST_BYTES)")
    .option("--retry-base-ms <ms>", "retry backoff base; default: Inngest's schedule (STEPWISE_RETRY_BASE_MS)")
    .option("--log-level <level>", "trace|debug|info|warn|error (STEPWISE_LOG_LEVEL)");
}

async function run(mode: "dev" | "start", flags: Record<string, unknown>): Promise<void> {
  const fromFlags: Partial<ServerOptionsInput> = {};
  const map: Record<string, keyof ServerOptionsInput> = {
    port: "port",
    host: "host",
    db: "db",
    sdkUrl: "sdkUrls",
    pollInterval: "pollInterval",
    workers: "workers",
    maxRequestBytes: "maxRequestBytes",
    retryBaseMs: "retryBaseMs",
    logLevel: "logLevel",
    eventKey: "eventKeys",
    signingKey: "signingKey",
    hotReload: "hotReload",
  };
  for (const [flag, key] of Object.entries(map))
    if (flags[flag] !== undefined) (fromFlags as Record<string, unknown>)[key] = flags[flag];
  // commander's --no-x flags default to true; only an explicit --no-x is a choice.
  if (flags.discovery === false) fromFlags.discovery = false;
  if (flags.poll === false) fromFlags.poll = false;

  let options;
  try {
    options = parseServerOptions({ ...optionsFromEnv(process.env), ...fromFlags, mode });
  } catch (error) {
    if (error instanceof OptionsError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(options);
  const label = mode === "dev" ? "Stepwise dev server" : "Stepwise";
  console.log(`${label} ready on ${server.url} (database: ${server.runtime.dialect})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing calls in flight");
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    void server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

const program = new Command("stepwise").description("Durable functions server that speaks the Inngest protocol");

withCommonFlags(program.command("dev").description("local dev server: SQLite by default, any event key, app discovery"))
  .option("--no-discovery", "do not scan local ports for apps (STEPWISE_NO_DISCOVERY=1)")
  .option("--no-poll", "do not re-sync apps periodically (STEPWISE_NO_POLL=1)")
  .addOption(new Option("--hot-reload", "Next dev mode for contributors").hideHelp())
  .action((flags: Record<string, unknown>) => run("dev", flags));

withCommonFlags(program.command("start").description("production server: event and signing keys required"))
  .option("--event-key <key>", "an accepted event key; repeatable (STEPWISE_EVENT_KEY)", collect)
  .option("--signing-key <key>", "the key that signs calls to apps (STEPWISE_SIGNING_KEY)")
  .option("--no-poll", "do not re-sync apps periodically (STEPWISE_NO_POLL=1)")
  .action((flags: Record<string, unknown>) => run("start", { ...flags, discovery: false }));

program.parseAsync(process.argv).catch((error: unknown) => {
  logger.fatal({ err: error }, "stepwise failed to start");
  process.exit(1);
});
