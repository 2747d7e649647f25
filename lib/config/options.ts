import { z } from "zod";

/**
 * Server options: the CLI's flags merged over `STEPWISE_*` environment variables, parsed once
 * at boot. Nothing else in the process reads `process.env` for configuration.
 */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean));

const bool = z.union([z.boolean(), z.enum(["1", "0", "true", "false", "yes", "no", ""])]).transform((v) => {
  if (typeof v === "boolean") return v;
  return v === "1" || v === "true" || v === "yes";
});

export const serverOptionsSchema = z
  .object({
    mode: z.enum(["dev", "start"]),
    port: z.coerce.number().int().min(0).max(65535).default(8288),
    host: z.string().min(1).optional(),
    db: z.string().min(1).optional(),
    sdkUrls: list.default([]),
    discovery: bool.default(true),
    poll: bool.default(true),
    /** seconds between re-syncs of known apps */
    pollInterval: z.coerce.number().positive().default(5),
    eventKeys: list.default([]),
    signingKey: z.string().optional(),
    signingKeyFallback: z.string().optional(),
    /**
     * production: the password for the dashboard's login (and a Bearer for the management
     * API). Without it the signing key serves as both.
     */
    adminPassword: z.string().min(12, "the admin password must be at least 12 characters").optional(),
    maxRequestBytes: z.coerce
      .number()
      .int()
      .positive()
      .default(512 * 1024),
    /** concurrent calls to apps this process makes */
    workers: z.coerce.number().int().positive().default(100),
    /** ms between queue polls when nothing wakes the leaser */
    tick: z.coerce.number().int().positive().default(150),
    /** retry backoff base in ms; unset = Inngest's schedule (15 s, 30 s, 1 min, …) */
    retryBaseMs: z.coerce.number().int().positive().optional(),
    /**
     * how long a leased queue item stays this process's without renewal: a crashed process's
     * work is picked up again this long after its last renewal
     */
    leaseMs: z.coerce.number().int().min(500, "the lease must be at least 500 ms").default(30_000),
    /** on SIGTERM, how long calls and requests in flight may take before their work is handed back */
    shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
    /** Next dev mode (hot reload): contributors only */
    hotReload: bool.default(false),
    logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  })
  .superRefine((o, ctx) => {
    if (o.mode !== "start") return;
    if (o.eventKeys.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["eventKeys"],
        message: "stepwise start needs at least one --event-key (or STEPWISE_EVENT_KEY)",
      });
    if (!o.signingKey)
      ctx.addIssue({
        code: "custom",
        path: ["signingKey"],
        message: "stepwise start needs --signing-key (or STEPWISE_SIGNING_KEY)",
      });
    else if (!/^(signkey-[\w]+-)?([0-9a-fA-F]{2})+$/.test(o.signingKey))
      ctx.addIssue({
        code: "custom",
        path: ["signingKey"],
        message: "the signing key must be hex (optionally prefixed signkey-<env>-)",
      });
  });

export type ServerOptionsInput = z.input<typeof serverOptionsSchema>;
export type ServerOptions = z.output<typeof serverOptionsSchema> & { db: string };

const ENV_KEYS: Record<string, keyof ServerOptionsInput> = {
  STEPWISE_PORT: "port",
  STEPWISE_HOST: "host",
  STEPWISE_DB: "db",
  STEPWISE_SDK_URL: "sdkUrls",
  STEPWISE_POLL_INTERVAL: "pollInterval",
  STEPWISE_EVENT_KEY: "eventKeys",
  STEPWISE_SIGNING_KEY: "signingKey",
  STEPWISE_SIGNING_KEY_FALLBACK: "signingKeyFallback",
  STEPWISE_MAX_REQUEST_BYTES: "maxRequestBytes",
  STEPWISE_WORKERS: "workers",
  STEPWISE_TICK: "tick",
  STEPWISE_RETRY_BASE_MS: "retryBaseMs",
  STEPWISE_LEASE_MS: "leaseMs",
  STEPWISE_ADMIN_PASSWORD: "adminPassword",
  STEPWISE_SHUTDOWN_GRACE_MS: "shutdownGraceMs",
  STEPWISE_LOG_LEVEL: "logLevel",
};

/** Reads the `STEPWISE_*` variables; flags given on the command line win over them. */
export function optionsFromEnv(env: Record<string, string | undefined>): Partial<ServerOptionsInput> {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== "") out[key] = value;
  }
  for (const [name, key] of [
    ["STEPWISE_NO_DISCOVERY", "discovery"],
    ["STEPWISE_NO_POLL", "poll"],
  ] as const) {
    const value = env[name];
    if (!value) continue;
    const parsed = bool.safeParse(value);
    if (!parsed.success) throw new OptionsError(`invalid options:\n  ${name}: expected 1, 0, true, false, yes or no`);
    out[key] = !parsed.data;
  }
  return out;
}

export class OptionsError extends Error {}

export function parseServerOptions(input: ServerOptionsInput): ServerOptions {
  const parsed = serverOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "options"}: ${i.message}`);
    throw new OptionsError(`invalid options:\n${lines.join("\n")}`);
  }
  const o = parsed.data;
  return { ...o, db: o.db ?? (o.mode === "dev" ? ".stepwise/dev.db" : ".stepwise/main.db") };
}
