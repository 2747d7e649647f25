import { Command, Option } from "commander";

import { optionsFromEnv, parseServerOptions, type ServerOptions, type ServerOptionsInput } from "./options";

/**
 * The `stepwise` command line: `dev` (local dev server: SQLite, any event key, app discovery)
 * and `start` (production: event and signing keys required). Flags win over `STEPWISE_*`
 * variables. Building the program is separate from running the server so the flag parsing can
 * be tested without starting anything.
 */
const collect = (value: string, previous: string[] = []) => [...previous, value];

function withCommonFlags(cmd: Command): Command {
  return cmd
    .option("-p, --port <port>", "port to listen on (STEPWISE_PORT; default 8288)")
    .option("--host <host>", "interface to bind (STEPWISE_HOST; default: all)")
    .option("--db <path-or-url>", "SQLite file or postgres:// URL (STEPWISE_DB)")
    .option("-u, --sdk-url <url>", "an app's serve URL to sync; repeatable (STEPWISE_SDK_URL)", collect)
    .option("--poll-interval <seconds>", "seconds between re-syncs of known apps (STEPWISE_POLL_INTERVAL)")
    .option("--no-poll", "do not re-sync apps periodically (STEPWISE_NO_POLL=1)")
    .option("--workers <n>", "calls to apps in flight at once (STEPWISE_WORKERS)")
    .option("--max-request-bytes <n>", "largest /e/ request body accepted (STEPWISE_MAX_REQUEST_BYTES; default 524288)")
    .option("--retry-base-ms <ms>", "retry backoff base; default: Inngest's schedule (STEPWISE_RETRY_BASE_MS)")
    .option("--lease-ms <ms>", "queue lease length; a crashed process's work resumes after it (STEPWISE_LEASE_MS)")
    .option("--shutdown-grace-ms <ms>", "on SIGTERM, time given to calls in flight (STEPWISE_SHUTDOWN_GRACE_MS; default 10000)")
    .option("--log-level <level>", "trace|debug|info|warn|error (STEPWISE_LOG_LEVEL)");
}

/** commander's flag names → option keys. */
const FLAG_KEYS: Record<string, keyof ServerOptionsInput> = {
  port: "port",
  host: "host",
  db: "db",
  sdkUrl: "sdkUrls",
  pollInterval: "pollInterval",
  workers: "workers",
  maxRequestBytes: "maxRequestBytes",
  retryBaseMs: "retryBaseMs",
  leaseMs: "leaseMs",
  shutdownGraceMs: "shutdownGraceMs",
  logLevel: "logLevel",
  eventKey: "eventKeys",
  signingKey: "signingKey",
  adminPassword: "adminPassword",
  hotReload: "hotReload",
};

/** Merges one command's flags over the environment and validates the result (throws OptionsError). */
export function resolveOptions(
  mode: "dev" | "start",
  flags: Record<string, unknown>,
  env: Record<string, string | undefined>,
): ServerOptions {
  const fromFlags: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(FLAG_KEYS)) if (flags[flag] !== undefined) fromFlags[key] = flags[flag];
  // commander's --no-x flags default to true; only an explicit --no-x is a choice (the
  // environment may still turn the feature off).
  if (flags.discovery === false) fromFlags.discovery = false;
  if (flags.poll === false) fromFlags.poll = false;
  const input: ServerOptionsInput = { ...optionsFromEnv(env), ...fromFlags, mode };
  // Production never scans local ports for apps.
  if (mode === "start") input.discovery = false;
  return parseServerOptions(input);
}

/** The CLI; `onRun` receives the validated options of whichever command ran. */
export function buildCli(
  onRun: (options: ServerOptions) => Promise<void>,
  env: Record<string, string | undefined> = process.env,
): Command {
  const program = new Command("stepwise").description("Durable functions server that speaks the Inngest protocol");
  withCommonFlags(program.command("dev").description("local dev server: SQLite by default, any event key, app discovery"))
    .option("--no-discovery", "do not scan local ports for apps (STEPWISE_NO_DISCOVERY=1)")
    .addOption(new Option("--hot-reload", "Next dev mode for contributors").hideHelp())
    .action((flags: Record<string, unknown>) => onRun(resolveOptions("dev", flags, env)));
  withCommonFlags(program.command("start").description("production server: event and signing keys required"))
    .option("--event-key <key>", "an accepted event key; repeatable (STEPWISE_EVENT_KEY, comma-separated)", collect)
    .option("--signing-key <key>", "the key that signs calls to apps (STEPWISE_SIGNING_KEY)")
    .option(
      "--admin-password <password>",
      "dashboard login and management API Bearer; default: the signing key (STEPWISE_ADMIN_PASSWORD)",
    )
    .action((flags: Record<string, unknown>) => onRun(resolveOptions("start", flags, env)));
  return program;
}
