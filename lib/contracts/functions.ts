import { z } from "zod";

/** Function DTOs shared by the API and the dashboard (no server imports: safe for client bundles). */
export const triggerDto = z.union([
  z.object({ event: z.string(), expression: z.string().optional() }),
  z.object({ cron: z.string(), jitter: z.string().optional() }),
]);

export const functionDto = z.object({
  id: z.string(),
  name: z.string(),
  appId: z.string().nullable(),
  kind: z.enum(["sdk", "http"]),
  url: z.string(),
  triggers: z.array(triggerDto),
  config: z.record(z.string(), z.unknown()),
  paused: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type FunctionDto = z.infer<typeof functionDto>;

export const functionListDto = z.object({ data: z.array(functionDto) });

/** `GET /api/v1/functions/<id>/stats?range=1h|24h`: runs started per bucket, by outcome. */
export const STATS_RANGES = { "1h": { span: 3_600_000, bucket: 60_000 }, "24h": { span: 86_400_000, bucket: 900_000 } } as const;
export const statsRange = z.enum(["1h", "24h"]);
export type StatsRange = z.infer<typeof statsRange>;

export const statsBucketDto = z.object({
  /** bucket start (ISO) */
  at: z.string(),
  total: z.number(),
  completed: z.number(),
  failed: z.number(),
  cancelled: z.number(),
  /** Queued or Running now */
  active: z.number(),
});
export type StatsBucket = z.infer<typeof statsBucketDto>;

export const functionStatsDto = z.object({
  functionId: z.string(),
  range: statsRange,
  bucketMs: z.number(),
  buckets: z.array(statsBucketDto),
  totals: z.object({ total: z.number(), completed: z.number(), failed: z.number(), cancelled: z.number(), active: z.number() }),
});
export type FunctionStats = z.infer<typeof functionStatsDto>;

/** `GET /api/v1/stats/functions`: per-function run counts over the last hour, for the list. */
export const functionActivityDto = z.object({
  data: z.array(z.object({ functionId: z.string(), total: z.number(), failed: z.number(), active: z.number() })),
});
export type FunctionActivity = z.infer<typeof functionActivityDto>;

export const invokeInput = z
  .object({
    data: z.record(z.string(), z.unknown(), { error: "data must be an object" }).default({}),
    user: z.unknown().optional(),
  })
  .strict();
export const invokeResult = z.object({ eventId: z.string(), runId: z.string().nullable() });
export type InvokeResult = z.infer<typeof invokeResult>;
