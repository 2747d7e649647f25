import type { RunDetail, StepDto } from "@/lib/contracts/runs";

import { formatDuration } from "@/components/ui/format";

/**
 * Turns a run's step rows (one per attempt or result) and the engine's pending work into the
 * timeline's rows: one row per step id with its attempts as bars on a shared time axis.
 */
export type BarKind =
  | "queued"
  | "running"
  | "completed"
  | "failed"
  | "cancelled"
  | "sleeping"
  | "waiting"
  | "invoking"
  | "retry"
  | "backoff"
  | "kept"
  /** the rest of a sleep in progress, up to its wake-up time */
  | "planned";

export interface Bar {
  key: string;
  start: number;
  /** null = still going: ends at "now" */
  end: number | null;
  kind: BarKind;
  live: boolean;
  label: string;
  /** the step row this bar stands for */
  stepId?: string;
}

export interface TimelineRow {
  key: string;
  label: string;
  /** the step's kind (step.run, step.sleep…) or the run's status */
  sublabel: string;
  /** retries, shown after the sublabel */
  note: string;
  op: string;
  status: string;
  attempts: StepDto[];
  bars: Bar[];
  /** step rows are selectable; the run row and in-flight rows are not */
  selectable: boolean;
  /** what the row took, written beside its bars ("120ms", "slept 3.0s", "waiting 2.1s") */
  summary: string;
}

const STEP_KIND: Record<string, BarKind> = {
  Completed: "completed",
  Failed: "failed",
  Errored: "failed",
  TimedOut: "failed",
  Cancelled: "cancelled",
  Sleeping: "sleeping",
  Waiting: "waiting",
  Invoking: "invoking",
};

const RUN_KIND: Record<string, BarKind> = {
  Running: "running",
  Completed: "completed",
  Failed: "failed",
  Cancelled: "cancelled",
  Skipped: "cancelled",
  Queued: "queued",
};

/** Time spent waiting rather than working keeps its own colour once it is over. */
const WAIT_KIND: Record<string, BarKind> = {
  Sleep: "sleeping",
  WaitForEvent: "waiting",
  WaitForSignal: "waiting",
  InvokeFunction: "invoking",
};

/** Step kinds as SDK users write them. */
export const OP_LABEL: Record<string, string> = {
  StepRun: "step.run",
  Step: "step.run",
  Sleep: "step.sleep",
  WaitForEvent: "step.waitForEvent",
  WaitForSignal: "step.waitForSignal",
  InvokeFunction: "step.invoke",
  Invoke: "step.invoke",
  AIGateway: "step.ai.infer",
  Gateway: "step.fetch",
  Call: "HTTP call",
  Execution: "function call",
};
export const opLabel = (op: string) => OP_LABEL[op] ?? op;

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

export function stepLabel(step: Pick<StepDto, "displayName" | "name" | "hashedId" | "op">): string {
  // A failure of the function itself (outside any step) has no step name: say what it is.
  if (step.op === "Execution") return "Function error";
  return step.displayName ?? step.name ?? (step.op === "Call" ? "call" : step.hashedId.slice(0, 12));
}

function stepKind(a: StepDto): BarKind {
  if (a.fromOrigin) return "kept";
  const waitKind = WAIT_KIND[a.op];
  if (waitKind && a.status !== "Failed") return a.status === "Cancelled" ? "cancelled" : waitKind;
  return STEP_KIND[a.status] ?? "running";
}

function rowSummary(attempts: StepDto[], now: number): string {
  const last = attempts[attempts.length - 1] as StepDto;
  if (last.fromOrigin) return "kept from the original run";
  const first = ms(attempts[0]?.startedAt) as number;
  const end = ms(last.endedAt);
  const took = formatDuration((end ?? now) - first);
  if (last.status === "Cancelled") {
    const planned = last.op === "Sleep" && last.wakeAt ? ` of ${formatDuration((ms(last.wakeAt) as number) - first)}` : "";
    return `cancelled after ${took}${planned}`;
  }
  if (last.op === "Sleep")
    return last.status === "Sleeping"
      ? `sleeping${last.wakeAt ? ` · wakes in ${formatDuration((ms(last.wakeAt) as number) - now)}` : ""}`
      : `slept ${took}`;
  if (last.op === "WaitForEvent" || last.op === "WaitForSignal")
    return last.status === "Waiting"
      ? `waiting ${took}`
      : last.status === "TimedOut"
        ? `timed out after ${took}`
        : `waited ${took}`;
  if (last.op === "InvokeFunction") return last.status === "Invoking" ? `invoking ${took}` : `invoked ${took}`;
  // (retries are counted beside the step's name)
  return took;
}

export function buildTimeline(detail: RunDetail, now: number): { rows: TimelineRow[]; start: number; end: number } {
  const { run, steps, pending } = detail;
  const queuedAt = ms(run.queuedAt) as number;
  const startedAt = ms(run.startedAt);
  const endedAt = ms(run.endedAt);
  const terminal = !!endedAt;
  const rows: TimelineRow[] = [];

  const runBars: Bar[] = [];
  const firstActivity = startedAt ?? (steps[0] ? ms(steps[0].startedAt) : null);
  if (firstActivity === null || firstActivity > queuedAt)
    runBars.push({
      key: "queued",
      start: queuedAt,
      end: firstActivity ?? endedAt,
      kind: "queued",
      live: !terminal && firstActivity === null,
      label: "Queued",
    });
  if (firstActivity !== null)
    runBars.push({
      key: "run",
      start: firstActivity,
      end: endedAt,
      kind: RUN_KIND[run.status] ?? "running",
      live: !terminal,
      label: run.status,
    });
  rows.push({
    key: "run",
    label: "Run",
    sublabel: run.status,
    note: "",
    op: "Run",
    status: run.status,
    attempts: [],
    bars: runBars,
    selectable: false,
    summary:
      firstActivity === null
        ? terminal
          ? ""
          : `queued ${formatDuration(now - queuedAt)}`
        : formatDuration((endedAt ?? now) - firstActivity),
  });

  const groups = new Map<string, StepDto[]>();
  for (const step of steps) groups.set(step.hashedId, [...(groups.get(step.hashedId) ?? []), step]);
  for (const [hashedId, attempts] of groups) {
    const last = attempts[attempts.length - 1] as StepDto;
    const bars: Bar[] = [];
    let previousEnd: number | null = null;
    for (const a of attempts) {
      const start = ms(a.startedAt) as number;
      const end = ms(a.endedAt);
      const kind = stepKind(a);
      const open = end === null && !terminal;
      // A sleep in progress also shows the part still to come, up to its wake-up time.
      const plannedEnd = kind === "sleeping" && end === null && open ? ms(a.wakeAt) : null;
      // The wait between a failed attempt and the next one: the retry backoff.
      if (previousEnd !== null && start > previousEnd)
        bars.push({
          key: `${a.id}:backoff`,
          start: previousEnd,
          end: start,
          kind: "backoff",
          live: false,
          label: "Backoff before retrying",
        });
      previousEnd = end;
      if (plannedEnd !== null && plannedEnd > now)
        bars.push({ key: `${a.id}:planned`, start: now, end: plannedEnd, kind: "planned", live: false, label: "Wakes up" });
      bars.push({
        key: a.id,
        start,
        end: end ?? (terminal ? endedAt : null),
        kind,
        live: open,
        label: a.fromOrigin
          ? "Kept from the original run"
          : `${a.status === "TimedOut" ? "Timed out" : a.status}${a.attempt ? ` · attempt ${a.attempt + 1}` : ""}`,
        stepId: a.id,
      });
    }
    const retries = attempts.filter((a) => a.status === "Errored").length;
    rows.push({
      key: hashedId,
      label: stepLabel(last),
      sublabel: last.op === "Execution" ? (last.displayName ?? opLabel(last.op)) : opLabel(last.op),
      note: retries ? `${retries} ${retries === 1 ? "retry" : "retries"}` : "",
      op: last.op,
      status: last.status,
      attempts,
      bars,
      selectable: true,
      summary: rowSummary(attempts, now),
    });
  }

  // Work the engine holds now: a call in flight, or a retry waiting for its time.
  for (const item of pending) {
    if (item.kind !== "exec") continue;
    const row = rows.find((r) => r.key === item.stepId) ?? null;
    const bar: Bar =
      item.state === "running"
        ? {
            key: item.id,
            start: ms(item.leasedAt) ?? now,
            end: null,
            kind: "running",
            live: true,
            label: `Calling the app · attempt ${item.attempt + 1}`,
          }
        : {
            key: item.id,
            start: now,
            end: Math.max(now, ms(item.availableAt) as number),
            kind: "retry",
            live: false,
            label: item.attempt > 0 ? `Retry ${item.attempt} scheduled` : "Scheduled",
          };
    if (item.state === "waiting" && (ms(item.availableAt) as number) <= now) continue;
    if (item.state === "waiting" && item.attempt === 0) continue;
    if (row) row.bars.push(bar);
    else
      rows.push({
        key: `pending:${item.id}`,
        label: item.state === "running" ? "Calling the app" : "Next attempt",
        sublabel: item.state === "running" ? `attempt ${item.attempt + 1}` : `retry ${item.attempt}`,
        note: "",
        op: "Call",
        status: item.state === "running" ? "Running" : "Queued",
        attempts: [],
        bars: [bar],
        selectable: false,
        summary: item.state === "running" ? "" : `in ${formatDuration((ms(item.availableAt) as number) - now)}`,
      });
  }

  let end = endedAt ?? now;
  for (const row of rows) for (const b of row.bars) end = Math.max(end, b.end ?? now);
  return { rows, start: queuedAt, end: Math.max(end, queuedAt + 1) };
}

/** Round tick steps for an axis spanning `span` ms. */
export function ticks(span: number): number[] {
  const candidates = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
    1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
  ];
  const step = candidates.find((c) => span / c <= 6) ?? 86_400_000 * Math.ceil(span / (6 * 86_400_000));
  const out: number[] = [];
  for (let t = 0; t <= span; t += step) out.push(t);
  return out;
}
