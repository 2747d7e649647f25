import { z } from "zod";

/** Event DTOs shared by the dashboard API (`/api/v1/events…`) and the dashboard. */
export const eventDto = z.object({
  id: z.string(),
  name: z.string(),
  data: z.record(z.string(), z.unknown()),
  user: z.unknown(),
  /** the sender's timestamp (Unix ms) */
  ts: z.number(),
  v: z.string().nullable(),
  /** the id the sender gave (idempotency key) */
  externalId: z.string().nullable(),
  receivedAt: z.string(),
});
export type EventDto = z.infer<typeof eventDto>;

/** A run an event started, as the front page's "Recent events" panel shows it. */
export const eventRunSummaryDto = z.object({
  id: z.string(),
  functionId: z.string(),
  functionName: z.string().nullable(),
  status: z.string(),
  statusReason: z.string().nullable(),
});
export type EventRunSummary = z.infer<typeof eventRunSummaryDto>;

export const eventListItemDto = z.object({
  id: z.string(),
  name: z.string(),
  receivedAt: z.string(),
  ts: z.number(),
  externalId: z.string().nullable(),
  /** the start of `data` as compact JSON, for one table line */
  preview: z.string(),
  runCount: z.number(),
  /** with `runs=1`: the first runs the event started (at most EVENT_RUNS_SHOWN), oldest first */
  runs: z.array(eventRunSummaryDto).optional(),
});
export type EventListItem = z.infer<typeof eventListItemDto>;

export const eventListDto = z.object({
  data: z.array(eventListItemDto),
  nextCursor: z.string().nullable(),
  search: z.object({ scanned: z.number(), complete: z.boolean() }).optional(),
});
export type EventList = z.infer<typeof eventListDto>;

/** `GET /api/v1/events` query. */
export const eventListQuery = z.object({
  name: z.string().min(1).max(512).optional(),
  /** CEL over the event (`event.data.userId == "42"`) */
  q: z.string().trim().max(2000).optional(),
  /** include `inngest/*` events the engine emits (function.finished, …) */
  internal: z
    .enum(["1", "0", "true", "false"])
    .transform((v) => v === "1" || v === "true")
    .optional(),
  /** include each event's first runs (`runs` on every item): for short lists such as the front page's */
  runs: z
    .enum(["1", "0", "true", "false"])
    .transform((v) => v === "1" || v === "true")
    .optional(),
  cursor: z.string().min(1).max(64).optional(),
  after: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const EVENT_RUNS_SHOWN = 5;
export type EventListQuery = z.input<typeof eventListQuery>;
export type EventListFilter = z.output<typeof eventListQuery>;

export const eventRunDto = z.object({
  id: z.string(),
  functionId: z.string(),
  functionName: z.string().nullable(),
  status: z.string(),
  statusReason: z.string().nullable(),
  queuedAt: z.string(),
  endedAt: z.string().nullable(),
});

export const eventDetailDto = z.object({
  event: eventDto,
  /** the runs it started (or joined: a batch, a debounce) */
  runs: z.array(eventRunDto),
  /** runs whose step.waitForEvent (or step.invoke) it resumed, with the step's name */
  resumed: z.array(eventRunDto.extend({ stepId: z.string(), stepName: z.string().nullable() })),
  /** runs its cancelOn match cancelled */
  cancelled: z.array(eventRunDto),
});
export type EventDetail = z.infer<typeof eventDetailDto>;

export const eventNamesDto = z.object({ data: z.array(z.string()) });

/** `POST /api/v1/events` and replay answer the stored ids, as `/e/<key>` does. */
export const sendEventResult = z.object({ ids: z.array(z.string()), status: z.number() });
export type SendEventResult = z.infer<typeof sendEventResult>;
