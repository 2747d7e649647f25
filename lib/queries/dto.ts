import type { EventDto } from "@/lib/contracts/events";
import type { RunListItem, RunStatusName, StepDto } from "@/lib/contracts/runs";
import { parseJsonText } from "@/lib/db/json";
import type { Event, Run, Step } from "@/lib/db/prisma";

/** Database rows → the dashboard's DTOs (lib/contracts). */
export const isoTime = (ms: bigint | number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

export type RunListRow = Pick<
  Run,
  | "id"
  | "functionId"
  | "appId"
  | "status"
  | "statusReason"
  | "trigger"
  | "cron"
  | "eventId"
  | "queuedAt"
  | "startedAt"
  | "endedAt"
  | "originRunId"
>;

/** The columns a list row needs (never output/error: they can be large). */
export const RUN_LIST_SELECT = {
  id: true,
  functionId: true,
  appId: true,
  status: true,
  statusReason: true,
  trigger: true,
  cron: true,
  eventId: true,
  queuedAt: true,
  startedAt: true,
  endedAt: true,
  originRunId: true,
} as const;

export function toRunListItem(row: RunListRow, functionName: (id: string) => string | null): RunListItem {
  return {
    id: row.id,
    functionId: row.functionId,
    functionName: functionName(row.functionId),
    appId: row.appId,
    status: row.status as RunStatusName,
    statusReason: row.statusReason,
    trigger: row.trigger,
    cron: row.cron,
    eventId: row.eventId,
    queuedAt: isoTime(row.queuedAt) as string,
    startedAt: isoTime(row.startedAt),
    endedAt: isoTime(row.endedAt),
    originRunId: row.originRunId,
    // filled in for Running rows by withSubStates (lib/queries/run-sub-state.ts)
    subState: null,
  };
}

export function toStepDto(row: Step, fromOrigin = false, resolvedBy: StepDto["resolvedBy"] = null): StepDto {
  return {
    id: row.id,
    seq: row.seq,
    hashedId: row.hashedId,
    name: row.name,
    displayName: row.displayName,
    op: row.op,
    status: row.status,
    attempt: row.attempt,
    input: parseJsonText(row.input),
    output: parseJsonText(row.output),
    error: parseJsonText(row.error),
    isMemo: row.isMemo,
    fromOrigin,
    startedAt: isoTime(row.startedAt) as string,
    endedAt: isoTime(row.endedAt),
    wakeAt: isoTime(row.wakeAt),
    resolvedBy,
  };
}

export function toEventDto(row: Event): EventDto {
  const data = parseJsonText(row.data);
  return {
    id: row.id,
    name: row.name,
    data: data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
    user: row.user === null ? null : parseJsonText(row.user),
    ts: Number(row.ts),
    v: row.v,
    externalId: row.externalId,
    receivedAt: isoTime(row.receivedAt) as string,
  };
}
