import { expect } from "vitest";

import type { AppDto } from "@/lib/contracts/apps";

import { runsOf, sendEvents, startSdkApp, type SdkApp, type SdkVersion, type V1Run } from "./sdk-app";
import { api, waitFor } from "./server";

/**
 * Helpers for the flow-control tests: the flow fixture app (tests/support/flow-fixture-app.mjs,
 * the official SDK) synced into a test server, what it measured, and reading runs back.
 */
export interface FlowStart {
  runId: string;
  at: number;
  data: Record<string, unknown> | null;
  events: Record<string, unknown>[];
}

export interface FlowStats {
  starts: Record<string, FlowStart[]>;
  intervals: Record<string, [number, number, string][]>;
  max: Record<string, number>;
}

export interface FlowApp extends SdkApp {
  flowStats(): Promise<FlowStats>;
  /** `${appId}-${fn}` */
  fnId(fn: string): string;
  /** sends `flow.<fn>` events straight to the server; answers their ids */
  emit(fn: string, data: Record<string, unknown> | Record<string, unknown>[]): Promise<string[]>;
  /** sends one event and answers when it was sent (ms) with its id */
  emitOne(fn: string, data: Record<string, unknown>): Promise<{ id: string; at: number }>;
}

export async function startFlowApp(
  server: { url: string },
  spec: { version: SdkVersion; appId: string; bad?: string; checkpointing?: boolean },
): Promise<FlowApp> {
  const app = await startSdkApp({
    version: spec.version,
    serverUrl: server.url,
    appId: spec.appId,
    script: "flow-fixture-app.mjs",
    checkpointing: spec.checkpointing,
    env: spec.bad ? { BAD: spec.bad } : {},
  });
  const flow: FlowApp = {
    ...app,
    flowStats: async () => (await api<FlowStats>({ url: app.origin }, "GET", "/__stats")).body,
    fnId: (fn) => `${app.appId}-${fn}`,
    emit: async (fn, data) => {
      const list = Array.isArray(data) ? data : [data];
      return sendEvents(
        server,
        list.map((d) => ({ name: app.ev(`flow.${fn}`), data: d })),
      );
    },
    emitOne: async (fn, data) => {
      const at = Date.now();
      const [id] = await sendEvents(server, { name: app.ev(`flow.${fn}`), data });
      return { id: id as string, at };
    },
  };
  if (!spec.bad) {
    const synced = await api<AppDto>(server, "POST", "/api/v1/apps", { url: app.url });
    if (synced.status !== 201 && synced.status !== 200)
      throw new Error(`sync failed: ${synced.status} ${JSON.stringify(synced.body)}\n${app.logs()}`);
  }
  return flow;
}

/** The most intervals that overlap at one instant. */
export function maxOverlap(intervals: readonly [number, number, ...unknown[]][]): number {
  const points = intervals.flatMap(([s, e]) => [
    [s, 1],
    [e, -1],
  ]);
  // Ends before starts at the same millisecond: back-to-back steps do not overlap.
  points.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let now = 0;
  let max = 0;
  for (const [, d] of points) {
    now += d as number;
    max = Math.max(max, now);
  }
  return max;
}

/** Waits until `fn` has recorded `n` starts (answers them, sorted by time). */
export async function waitForStarts(app: FlowApp, fn: string, n: number, timeoutMs = 20_000): Promise<FlowStart[]> {
  return waitFor(
    async () => {
      const starts = (await app.flowStats()).starts[fn] ?? [];
      return starts.length >= n ? [...starts].sort((a, b) => a.at - b.at) : null;
    },
    timeoutMs,
    `${n} starts of ${fn}`,
  );
}

/** Waits until every one of `eventIds` has a run of `functionId` in an end state; answers them in order. */
export async function waitForEnded(
  server: { url: string },
  eventIds: readonly string[],
  functionId: string,
  timeoutMs = 20_000,
): Promise<V1Run[]> {
  const ended = ["Completed", "Failed", "Cancelled", "Skipped"];
  return waitFor(
    async () => {
      const out: V1Run[] = [];
      for (const id of eventIds) {
        const run = (await runsOf(server, id)).find((r) => r.function_id === functionId && ended.includes(r.status));
        if (!run) return null;
        out.push(run);
      }
      return out;
    },
    timeoutMs,
    `runs of ${eventIds.length} events to end`,
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ArrivedEvent {
  id: string;
  /** when the server stored it (received_at) */
  at: number;
}

export interface DebouncedRun {
  eventId: string;
  /** when the debounce fired (the run's queued_at) */
  at: number;
}

/**
 * Checks debounce decisions against the events' real arrival times (a busy machine may space
 * the test's sends unevenly, so the expected outcome is worked out from what arrived when):
 * each run fires at min(last event + period, first event of its window + timeout), within the
 * engine's polling latency, with the last event of its window; every event belongs to exactly
 * one window. Answers how many windows were closed by the timeout rather than by a quiet period.
 */
export function checkDebounce(
  events: readonly ArrivedEvent[],
  runs: readonly DebouncedRun[],
  rule: { periodMs: number; timeoutMs: number },
  // A due timer is leased within a tick (150 ms) on an idle machine; loaded CI boxes lag more.
  lateMs = 3000,
): { cappedByTimeout: number } {
  const sorted = [...runs].sort((a, b) => a.at - b.at);
  let next = 0;
  let windowStart: number | null = null;
  let last: ArrivedEvent | null = null;
  let cappedByTimeout = 0;
  const fire = () => {
    const due = Math.min((last as ArrivedEvent).at + rule.periodMs, (windowStart as number) + rule.timeoutMs);
    const run = sorted[next];
    if (!run) throw new Error(`expected a run for event ${last?.id} due at ${due}, found none`);
    if (run.eventId !== last?.id)
      throw new Error(`run ${next} started with ${run.eventId}, expected the window's last event ${last?.id}`);
    if (run.at < due - 50 || run.at > due + lateMs)
      throw new Error(
        `run ${next} fired ${run.at - due} ms after it was due (allowed -50..${lateMs}); events at ` +
          `${events.map((e) => e.at - (events[0] as ArrivedEvent).at).join(",")}, runs at ` +
          `${sorted.map((r) => r.at - (events[0] as ArrivedEvent).at).join(",")}`,
      );
    if ((windowStart as number) + rule.timeoutMs < last.at + rule.periodMs) cappedByTimeout++;
    next++;
    windowStart = null;
  };
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    if (windowStart !== null && last) {
      const due = Math.min(last.at + rule.periodMs, windowStart + rule.timeoutMs);
      // Due before this event arrived: it fired with the previous one, unless the engine was
      // still about to fire it (then this event joined the window, which the run shows).
      if (e.at >= due && sorted[next]?.eventId === last.id) fire();
      else if (e.at >= due + lateMs) throw new Error(`the debounce due at ${due} had not fired ${e.at - due} ms later`);
    }
    windowStart ??= e.at;
    last = e;
  }
  if (last) fire();
  if (next !== sorted.length) throw new Error(`${sorted.length - next} unexpected runs`);
  return { cappedByTimeout };
}

/** When the server stored each event. */
export async function arrivals(server: { url: string }, ids: readonly string[]): Promise<ArrivedEvent[]> {
  return Promise.all(
    ids.map(async (id) => {
      const res = await api<{ data: { received_at: string } }>(server, "GET", `/v1/events/${id}`);
      return { id, at: Date.parse(res.body.data.received_at) };
    }),
  );
}

/** The runs `functionId` started for any of `ids`, as debounce decisions. */
export async function debouncedRuns(
  server: { url: string },
  ids: readonly string[],
  functionId: string,
): Promise<DebouncedRun[]> {
  // An event lists the run it was folded into too: one entry per run, with the run's own event.
  const out = new Map<string, DebouncedRun>();
  for (const id of ids)
    for (const run of await runsOf(server, id))
      if (run.function_id === functionId) out.set(run.run_id, { eventId: run.event_id as string, at: Date.parse(run.queued_at) });
  return [...out.values()];
}

/**
 * `concurrency: {limit: 1, key: "event.data.user"}` (the fixture's `conc-key`): three runs each
 * for two users execute one step at a time per user, and the two users' queues side by side.
 */
export async function expectOneStepPerUser(server: { url: string }, app: FlowApp): Promise<void> {
  const ids = await app.emit("conc-key", [
    ...Array.from({ length: 3 }, () => ({ user: "ann" })),
    ...Array.from({ length: 3 }, () => ({ user: "bob" })),
  ]);
  await waitForEnded(server, ids, app.fnId("conc-key"), 20_000);
  const { intervals } = await app.flowStats();
  expect(maxOverlap(intervals["conc-key:ann"] ?? [])).toBe(1);
  expect(maxOverlap(intervals["conc-key:bob"] ?? [])).toBe(1);
  expect(maxOverlap(intervals["conc-key"] ?? [])).toBe(2);
}
