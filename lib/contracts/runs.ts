import { z } from "zod";

import { eventDto } from "./events";

/**
 * Run DTOs shared by the dashboard API (`/api/v1/runs…`) and the dashboard (no server imports:
 * safe for client bundles). Times are ISO strings; JSON payloads are parsed values.
 */
export const RUN_STATUSES = ["Queued", "Running", "Completed", "Failed", "Cancelled", "Skipped"] as const;
export const runStatus = z.enum(RUN_STATUSES);
export type RunStatusName = z.infer<typeof runStatus>;

/**
 * What a Running run is doing between calls: sleeping (step.sleep) until `until`, waiting for
 * the event `target` (step.waitForEvent, times out at `until`) or for the function `target`
 * it invoked (step.invoke). Null for a run that is not Running or is calling its app.
 */
export const runSubStateDto = z.object({
  kind: z.enum(["Sleeping", "Waiting", "Invoking"]),
  target: z.string().nullable(),
  until: z.string().nullable(),
});
export type RunSubState = z.infer<typeof runSubStateDto>;

export const runListItemDto = z.object({
  id: z.string(),
  functionId: z.string(),
  functionName: z.string().nullable(),
  appId: z.string().nullable(),
  status: runStatus,
  statusReason: z.string().nullable(),
  /** event name, "cron", "invoke" or "manual" */
  trigger: z.string(),
  cron: z.string().nullable(),
  eventId: z.string().nullable(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  originRunId: z.string().nullable(),
  subState: runSubStateDto.nullable(),
});
export type RunListItem = z.infer<typeof runListItemDto>;

export const runListDto = z.object({
  data: z.array(runListItemDto),
  /** pass as `cursor` for the next (older) page; null at the end */
  nextCursor: z.string().nullable(),
  /** set when `q` (a CEL search) was given: how far this page searched */
  search: z
    .object({
      scanned: z.number(),
      /** false when the scan stopped at its budget before filling the page: follow nextCursor to keep searching */
      complete: z.boolean(),
    })
    .optional(),
});
export type RunList = z.infer<typeof runListDto>;

const csv = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(1).max(256)).max(100, "at most 100 values"));

const time = z
  .union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)));

/** `GET /api/v1/runs` query: every filter is optional and they combine with AND. */
export const runListQuery = z.object({
  status: csv.pipe(z.array(runStatus, { error: `status must be one of ${RUN_STATUSES.join(", ")}` })).optional(),
  functionId: csv.optional(),
  appId: z.string().min(1).max(256).optional(),
  /** runs queued at or after (ISO time or Unix ms) */
  from: time.optional(),
  /** runs queued before (ISO time or Unix ms) */
  to: time.optional(),
  /** CEL over the trigger event (`event`) and the run's output (`output`) */
  q: z.string().trim().max(2000).optional(),
  /** older than this run id (the previous page's nextCursor) */
  cursor: z.string().min(1).max(64).optional(),
  /** newer than this run id (live updates: rows that appeared since) */
  after: z.string().min(1).max(64).optional(),
  /** exactly these runs (live updates of rows already shown); other filters are ignored */
  ids: csv.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type RunListQuery = z.input<typeof runListQuery>;
export type RunListFilter = z.output<typeof runListQuery>;

export const stepDto = z.object({
  id: z.string(),
  seq: z.number(),
  hashedId: z.string(),
  name: z.string().nullable(),
  displayName: z.string().nullable(),
  /** StepRun | Sleep | WaitForEvent | InvokeFunction | Call | … */
  op: z.string(),
  /** Completed | Failed | Errored | Sleeping | Waiting | Invoking | Cancelled | TimedOut */
  status: z.string(),
  attempt: z.number(),
  input: z.unknown(),
  output: z.unknown(),
  error: z.unknown(),
  isMemo: z.boolean(),
  /** a rerun's result kept from the original run (copied when the rerun was made, never executed in this run) */
  fromOrigin: z.boolean(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  wakeAt: z.string().nullable(),
  /** the event that resumed a waitForEvent (for an invoke: the child run's finish event) */
  resolvedBy: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
});
export type StepDto = z.infer<typeof stepDto>;

/** Work the engine holds for the run right now: a call in flight, a retry or a timer. */
export const pendingWorkDto = z.object({
  id: z.string(),
  /** running: leased by a worker now; waiting: due at `availableAt` (a retry, a sleep's wake-up, a delayed start) */
  state: z.enum(["running", "waiting"]),
  kind: z.string(),
  stepId: z.string().nullable(),
  attempt: z.number(),
  availableAt: z.string(),
  leasedAt: z.string().nullable(),
});
export type PendingWorkDto = z.infer<typeof pendingWorkDto>;

export const waitDto = z.object({
  id: z.string(),
  /** wait | invoke | cancel | signal */
  kind: z.string(),
  eventName: z.string(),
  /** the signal a step.waitForSignal waits for (kind signal) */
  signal: z.string().nullable(),
  expression: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
});
export type WaitDto = z.infer<typeof waitDto>;

export const runDetailDto = z.object({
  run: runListItemDto.extend({
    eventIds: z.array(z.string()),
    output: z.unknown(),
    error: z.unknown(),
    originStepId: z.string().nullable(),
    /** the name of the step a rerun started from (as the original run shows it) */
    originStepName: z.string().nullable(),
    invocation: z.object({ parentRunId: z.string(), correlationId: z.string(), stepId: z.string() }).nullable(),
    /** the event whose cancelOn match cancelled the run */
    cancelledBy: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  }),
  function: z
    .object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(["sdk", "http"]),
      appId: z.string().nullable(),
      paused: z.boolean(),
      /** attempts each step may take (retries + 1) */
      maxAttempts: z.number(),
    })
    .nullable(),
  steps: z.array(stepDto),
  events: z.array(eventDto),
  pending: z.array(pendingWorkDto),
  waits: z.array(waitDto),
  reruns: z.array(runListItemDto),
  /** the server's clock when answered, so in-flight bars end at the same "now" */
  now: z.string(),
});
export type RunDetail = z.infer<typeof runDetailDto>;

export const rerunInput = z
  .object({
    /** a step row id of this run: the new run keeps the memoized results completed before it */
    fromStepId: z.string().min(1).max(64).optional(),
  })
  .strict();

export const rerunResult = z.object({
  id: z.string(),
  originRunId: z.string(),
  fromStepId: z.string().nullable(),
  memoized: z.number(),
});
export type RerunResult = z.infer<typeof rerunResult>;
