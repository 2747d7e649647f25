import { Cron } from "croner";
import { z } from "zod";

import { compileExpression, ExpressionError } from "@/lib/cel/expressions";
import { parseDuration } from "@/lib/time/duration";

/**
 * The shape of a function's triggers and configuration, shared by REST registration and SDK
 * sync. Field names follow the Inngest SDK's function config (`concurrency`, `throttle`,
 * `rateLimit`, `debounce`, `batchEvents`, `priority`, `idempotency`, `singleton`, `timeouts`,
 * `cancel`) so an SDK config is stored as sent. Every CEL expression, cron and duration is
 * checked here, so a bad one is refused at registration with the field named.
 */

const expression = z.string().superRefine((src, ctx) => {
  try {
    compileExpression(src);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof ExpressionError ? error.message : String(error) });
  }
});

/** A duration ("30s", "1h30m", "1d", or milliseconds), optionally at most `max` (as Inngest bounds it). */
const durationUpTo = (max?: { ms: number; text: string }) =>
  z.union([z.string(), z.number()]).superRefine((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null || ms <= 0)
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not a duration (e.g. "30s", "5m", "1h30m", "1d")` });
    else if (max && ms > max.ms) ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is longer than ${max.text}` });
  });
const duration = durationUpTo();

/** Cron with an optional `TZ=Zone ` (or `CRON_TZ=`) prefix; without one it runs in UTC, as Inngest's does. */
export function parseCron(spec: string): { pattern: string; timezone?: string } {
  const match = /^(?:CRON_)?TZ=(\S+)\s+(.+)$/.exec(spec.trim());
  return match ? { pattern: (match[2] as string).trim(), timezone: match[1] } : { pattern: spec.trim() };
}

export function cronFor(spec: string): Cron {
  const { pattern, timezone } = parseCron(spec);
  // Never the server's local zone: the same function must fire at the same instants wherever it is hosted.
  return new Cron(pattern, { timezone: timezone ?? "UTC", paused: true, mode: "5-or-6-parts" });
}

const cron = z.string().superRefine((spec, ctx) => {
  try {
    const job = cronFor(spec);
    job.nextRun(); // an unknown TZ= zone only fails here
    job.stop();
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: `invalid cron ${JSON.stringify(spec)}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
});

export const eventTriggerSchema = z.object({
  event: z.string().trim().min(1, "the event name must not be empty"),
  expression: expression
    .optional()
    .nullable()
    .transform((v) => v ?? undefined),
});
export const cronTriggerSchema = z.object({
  cron,
  jitter: z.string().optional(),
});
export const triggerSchema = z.union([eventTriggerSchema, cronTriggerSchema], {
  error: "a trigger is {event, expression?} or {cron}",
});
/** The same, refusing unknown keys: REST registration, where a typo (`expresion`) must not pass silently. */
export const strictTriggerSchema = z.union([eventTriggerSchema.strict(), cronTriggerSchema.strict()], {
  error: "a trigger is {event, expression?} or {cron}",
});
export type Trigger = z.infer<typeof triggerSchema>;
export type EventTrigger = z.infer<typeof eventTriggerSchema>;

const limit = z.number().int().min(1, "the limit must be at least 1");

export const concurrencyItemSchema = z.object({
  limit,
  key: expression.optional(),
  scope: z.enum(["fn", "env", "account"]).optional(),
});
export type ConcurrencyLimit = z.infer<typeof concurrencyItemSchema>;

/** number | {limit,…} | [{limit,…}, {limit,…}] → an array of at most two limits. */
export const concurrencySchema = z
  .union([limit, concurrencyItemSchema, z.array(concurrencyItemSchema).max(2, "at most two concurrency limits")])
  .transform((v) => (typeof v === "number" ? [{ limit: v }] : Array.isArray(v) ? v : [v]))
  .superRefine((items, ctx) => {
    items.forEach((item, i) => {
      if (item.scope && item.scope !== "fn" && !item.key)
        ctx.addIssue({ code: "custom", path: [i, "key"], message: `a concurrency limit with scope "${item.scope}" needs a key` });
    });
  });

export const throttleSchema = z.object({
  limit,
  period: duration,
  /** starts allowed at once on top of `limit` */
  burst: z.number().int().min(0, "burst must not be negative").optional(),
  key: expression.optional(),
});
export const rateLimitSchema = z.object({
  limit,
  period: durationUpTo({ ms: 86_400_000, text: "24h" }),
  key: expression.optional(),
});
export const debounceSchema = z.object({
  period: durationUpTo({ ms: 7 * 86_400_000, text: "7d" }),
  key: expression.optional(),
  timeout: duration.optional(),
});
export const batchEventsSchema = z.object({
  maxSize: z.number().int().min(1).max(1000),
  timeout: duration,
  key: expression.optional(),
  if: expression.optional(),
});
export const prioritySchema = z.object({ run: expression.optional() });
export const singletonSchema = z.object({ key: expression.optional(), mode: z.enum(["skip", "cancel"]) });
export const timeoutsSchema = z.object({ start: duration.optional(), finish: duration.optional() });
export const cancelSchema = z.object({
  event: z.string().min(1),
  if: expression.optional(),
  match: z.string().optional(),
  timeout: duration.optional(),
});

/** Everything a function can be configured with, as stored in `functions.config`. */
export const functionConfigSchema = z.object({
  /** retry count: attempts = retries + 1 */
  retries: z.number().int().min(0).max(20).optional(),
  /** per-call timeout for plain HTTP functions, ms */
  timeout: z.number().int().positive().optional(),
  concurrency: concurrencySchema.optional(),
  throttle: throttleSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
  debounce: debounceSchema.optional(),
  batchEvents: batchEventsSchema.optional(),
  priority: prioritySchema.optional(),
  idempotency: expression.optional(),
  singleton: singletonSchema.optional(),
  timeouts: timeoutsSchema.optional(),
  cancel: z.array(cancelSchema).max(5, "at most five cancelOn events").optional(),
});
export type FunctionConfig = z.infer<typeof functionConfigSchema>;

export const DEFAULT_RETRIES = 4;

export function maxAttempts(config: FunctionConfig): number {
  return (config.retries ?? DEFAULT_RETRIES) + 1;
}

/** `cancelOn` written with `match: "data.x"` means `event.data.x == async.data.x`. */
export function cancelExpression(c: z.infer<typeof cancelSchema>): string | undefined {
  if (c.if) return c.if;
  if (c.match) return `event.${c.match} == async.${c.match}`;
  return undefined;
}

export function isEventTrigger(t: Trigger): t is EventTrigger {
  return "event" in t;
}
