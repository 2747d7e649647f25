import { z } from "zod";

/** Inngest-compatible REST shapes (`/v1/...`), snake_case as Inngest's API answers them. */
export const v1Run = z.object({
  run_id: z.string(),
  function_id: z.string(),
  status: z.string(),
  status_reason: z.string().nullable(),
  output: z.unknown(),
  error: z.unknown(),
  event_id: z.string().nullable(),
  queued_at: z.string(),
  run_started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
});
export type V1Run = z.infer<typeof v1Run>;

export const v1Event = z.object({
  id: z.string(),
  internal_id: z.string(),
  external_id: z.string().nullable(),
  name: z.string(),
  data: z.record(z.string(), z.unknown()),
  user: z.unknown(),
  ts: z.number(),
  v: z.string().nullable(),
  received_at: z.string(),
});
export type V1Event = z.infer<typeof v1Event>;
