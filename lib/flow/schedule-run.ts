import { celEvent, compileExpression, evaluateBool, evaluateValue } from "@/lib/cel/expressions";
import type { StoredEvent } from "@/lib/events/event-schema";
import { deleteWaitingItems, enqueue } from "@/lib/queue/queue";
import { systemPartition } from "@/lib/queue/types";
import type { RegisteredFunction } from "@/lib/registry/registry";
import type { Unit } from "@/lib/state/context";
import { createRun, createSkippedRun, insertRuns, planRun, type PlannedRun, type RunSpec } from "@/lib/state/create-runs";
import { evaluateKey, priorityStart, shortHash } from "@/lib/state/run-start";
import { cancelRun, loadEvents } from "@/lib/state/runs";
import { formatDuration, parseDuration } from "@/lib/time/duration";

import { deleteKey, lockKey, rateLimitAllows, throttleStart, writeKey } from "./flow-keys";

/**
 * Flow control at the moment an event (or a batch, or a debounce timer) would start a run.
 * Rules run in this order: rate limit (lossy), idempotency, then batching or debounce (which
 * buffer events and start the run later), then singleton, throttle and priority (which decide
 * whether the new run replaces another and when it may start). Every skip is recorded as a
 * Skipped run naming the rule; every delay as the run's status reason while it is queued.
 */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Priority factors are seconds in this range (Inngest's default bounds). */
export const PRIORITY_BOUND_S = 600;

const forKey = (keyValue: string, hasKey: boolean) => (hasKey ? ` for key ${JSON.stringify(keyValue)}` : "");

export async function scheduleRun(u: Unit, fn: RegisteredFunction, event: StoredEvent, batch?: RunBatch): Promise<void> {
  const { config } = fn;

  if (config.rateLimit) {
    const rule = config.rateLimit;
    const keyValue = rule.key ? evaluateKey(rule.key, event) : "";
    const allowed = await rateLimitAllows(u.tx, `ratelimit:${fn.id}:${shortHash(keyValue)}`, u.now, {
      limit: rule.limit,
      periodMs: parseDuration(rule.period) ?? 0,
    });
    if (!allowed) {
      await createSkippedRun(
        u,
        fn,
        [event],
        `rateLimit: more than ${rule.limit} run${rule.limit === 1 ? "" : "s"} per ${String(rule.period)}${forKey(keyValue, !!rule.key)}`,
      );
      return;
    }
  }

  if (config.idempotency) {
    const keyValue = evaluateKey(config.idempotency, event);
    const key = `idempotency:${fn.id}:${shortHash(keyValue)}`;
    const row = await lockKey(u.tx, key);
    if (row.value && Number(row.expires_at ?? 0) > u.now) {
      await createSkippedRun(
        u,
        fn,
        [event],
        `idempotency: key ${JSON.stringify(keyValue)} was already used by event ${row.value} within 24h`,
      );
      return;
    }
    // The key is taken by this event whether its run starts now or after a batch or debounce.
    await writeKey(u.tx, key, { value: event.id, expiresAt: u.now + IDEMPOTENCY_WINDOW_MS });
  }

  if (config.batchEvents) {
    const rule = config.batchEvents;
    const batchable = rule.if ? evaluateBool(compileExpression(rule.if), { event: celEvent(event) }) : true;
    if (batchable) return addToBatch(u, fn, event);
  }

  if (config.debounce) return debounce(u, fn, event);

  await createRunWithStartRules(u, fn, [event], {}, batch);
}

/**
 * Runs decided while routing one ingest, inserted together at its end (createRuns: a few
 * multi-row statements instead of a handful per run). Ids are drawn when a run is decided, so
 * run ids and queue order are those of one-by-one creation. Only runs of functions whose start
 * reads nothing the batch has not written yet go in: see `batchable`.
 */
export class RunBatch {
  private plans: PlannedRun[] = [];
  constructor(private readonly u: Unit) {}

  add(spec: RunSpec): string {
    const plan = planRun(this.u, spec);
    this.plans.push(plan);
    return plan.id;
  }

  async flush(): Promise<void> {
    const plans = this.plans;
    this.plans = [];
    if (plans.length) await insertRuns(this.u, plans);
  }
}

/**
 * Whether a function's runs may wait for the batch insert: concurrency, priority, timeouts and
 * cancelOn are decided from the event alone. The other rules keep strict one-by-one order —
 * each decision reads keyed state or (singleton) the runs table that the previous one wrote.
 */
export function batchable(fn: RegisteredFunction): boolean {
  const c = fn.config;
  return !c.rateLimit && !c.idempotency && !c.batchEvents && !c.debounce && !c.singleton && !c.throttle;
}

/**
 * Singleton, throttle and priority, then the run itself (added to `batch` when the function's
 * runs may be batched). Answers the run id (null if skipped).
 */
export async function createRunWithStartRules(
  u: Unit,
  fn: RegisteredFunction,
  events: StoredEvent[],
  extra: Partial<RunSpec> = {},
  batch?: RunBatch,
): Promise<string | null> {
  const spec = await startRules(u, fn, events, extra);
  if (!spec) return null;
  if (batch && batchable(fn)) return batch.add(spec);
  return createRun(u, spec);
}

async function startRules(
  u: Unit,
  fn: RegisteredFunction,
  events: StoredEvent[],
  extra: Partial<RunSpec>,
): Promise<RunSpec | null> {
  const { config } = fn;
  const first = events[0];
  let singletonKey: string | null = null;
  const reasons: string[] = extra.statusReason ? [extra.statusReason] : [];

  if (config.singleton) {
    const keyValue = config.singleton.key ? evaluateKey(config.singleton.key, first) : "";
    singletonKey = shortHash(keyValue);
    // Serialises two events deciding on the same key (PostgreSQL row lock; SQLite has one writer).
    await lockKey(u.tx, `singleton:${fn.id}:${singletonKey}`, u.now + 60_000);
    const active = await u.tx.all<{ id: string }>(
      `SELECT id FROM runs WHERE function_id = ? AND singleton_key = ? AND status IN ('Queued', 'Running')`,
      [fn.id, singletonKey],
    );
    if (active.length > 0) {
      if (config.singleton.mode === "skip") {
        await createSkippedRun(
          u,
          fn,
          events,
          `singleton: run ${active[0]?.id} is still active${forKey(keyValue, !!config.singleton.key)}`,
        );
        return null;
      }
      const by = first ? `event ${first.id}` : "a newer event";
      for (const r of active) await cancelRun(u, r.id, `singleton: replaced by the run of ${by}`);
    }
  }

  let availableAt = u.now;
  if (config.throttle) {
    const rule = config.throttle;
    const keyValue = rule.key ? evaluateKey(rule.key, first) : "";
    const start = await throttleStart(u.tx, `throttle:${fn.id}:${shortHash(keyValue)}`, u.now, {
      limit: rule.limit,
      periodMs: parseDuration(rule.period) ?? 0,
      burst: rule.burst ?? 0,
    });
    if (start > u.now) {
      availableAt = start;
      reasons.push(
        `throttle: start delayed ${formatDuration(start - u.now)} (${rule.limit} per ${String(rule.period)}${forKey(keyValue, !!rule.key)})`,
      );
    }
  }

  const factor = config.priority?.run && first ? priorityFactor(config.priority.run, first) : 0;
  const prioritised = priorityStart(u.now, availableAt, factor);
  if (prioritised.reason) reasons.push(prioritised.reason);

  return {
    fn,
    events,
    singletonKey,
    ...extra,
    availableAt: prioritised.at,
    priority: factor,
    statusReason: reasons.length ? reasons.join("; ") : null,
  };
}

/** The priority expression's value in whole seconds, clamped to ±600 (0 when it fails). */
export function priorityFactor(expression: string, event: StoredEvent): number {
  const value = evaluateValue(compileExpression(expression), { event: celEvent(event) });
  if (typeof value !== "number" || !Number.isFinite(value)) return 0;
  return Math.max(-PRIORITY_BOUND_S, Math.min(PRIORITY_BOUND_S, Math.trunc(value)));
}

interface DebounceState {
  /** the last event: the one the run starts with */
  eventId: string;
  firstAt: number;
  /** the queue item that fires this debounce; older timers find another id and do nothing */
  timerId: string;
  /** the events this one replaced (the latest ones), linked to the run so each lists it */
  folded?: string[];
}

/** How many replaced events a debounced run remembers (a long stream keeps the latest). */
const FOLDED_MAX = 100;

/**
 * Each event for the key replaces the pending one and pushes the start to `period` after it
 * (never later than `timeout` after the first). Every push queues a new timer item and drops
 * the old one, so a timer already leased while the event arrived is recognised as stale.
 */
async function debounce(u: Unit, fn: RegisteredFunction, event: StoredEvent): Promise<void> {
  const rule = fn.config.debounce;
  if (!rule) return;
  const keyValue = rule.key ? evaluateKey(rule.key, event) : "";
  const key = `debounce:${fn.id}:${shortHash(keyValue)}`;
  const row = await lockKey(u.tx, key);
  const previous = row.value ? (JSON.parse(row.value) as DebounceState) : null;
  const firstAt = previous?.firstAt ?? u.now;
  const periodMs = parseDuration(rule.period) ?? 0;
  const timeoutMs = rule.timeout !== undefined ? parseDuration(rule.timeout) : null;
  const fireAt = Math.max(u.now, timeoutMs !== null ? Math.min(u.now + periodMs, firstAt + timeoutMs) : u.now + periodMs);
  const timerId = `${key}:${event.id}`;
  if (previous) await deleteWaitingItems(u.tx, { id: previous.timerId });
  const folded = previous ? [...(previous.folded ?? []), previous.eventId].slice(-FOLDED_MAX) : [];
  await writeKey(u.tx, key, {
    value: JSON.stringify({ eventId: event.id, firstAt, timerId, folded } satisfies DebounceState),
  });
  await enqueue(u.tx, [
    {
      id: timerId,
      kind: "debounce",
      functionId: fn.id,
      payload: { key, timerId },
      availableAt: fireAt,
      partition: systemPartition(fn.id),
    },
  ]);
}

/** The debounce timer fired: start one run with the last event received for the key. */
export async function fireDebounce(
  u: Unit,
  fn: RegisteredFunction | undefined,
  timer: { key: string; timerId?: string },
): Promise<void> {
  const row = await lockKey(u.tx, timer.key);
  if (!row.value) return void (await deleteKey(u.tx, timer.key));
  const state = JSON.parse(row.value) as DebounceState;
  if (timer.timerId !== undefined && state.timerId !== timer.timerId) return;
  await deleteKey(u.tx, timer.key);
  if (!fn) return;
  const events = await loadEvents(u.tx, [state.eventId]);
  const waited = formatDuration(u.now - state.firstAt);
  if (events.length)
    await createRunWithStartRules(u, fn, events, {
      statusReason: `debounce: started with the last event after ${waited}`,
      foldedEventIds: state.folded ?? [],
    });
}

interface BatchState {
  batchId: string;
  eventIds: string[];
}

async function addToBatch(u: Unit, fn: RegisteredFunction, event: StoredEvent): Promise<void> {
  const rule = fn.config.batchEvents;
  if (!rule) return;
  const keyValue = rule.key ? evaluateKey(rule.key, event) : "";
  const key = `batch:${fn.id}:${shortHash(keyValue)}`;
  const row = await lockKey(u.tx, key);
  const state: BatchState = row.value ? (JSON.parse(row.value) as BatchState) : { batchId: event.id, eventIds: [] };
  state.eventIds.push(event.id);
  if (state.eventIds.length >= rule.maxSize) {
    await flushBatch(u, fn, key, state, "full");
    return;
  }
  await writeKey(u.tx, key, { value: JSON.stringify(state) });
  if (state.eventIds.length === 1) {
    const timeoutMs = parseDuration(rule.timeout) ?? 60_000;
    await enqueue(u.tx, [
      {
        id: `${key}:${state.batchId}`,
        kind: "batch",
        functionId: fn.id,
        payload: { key, batchId: state.batchId },
        availableAt: u.now + timeoutMs,
        partition: systemPartition(fn.id),
      },
    ]);
  }
}

async function flushBatch(u: Unit, fn: RegisteredFunction, key: string, state: BatchState, why: "full" | "timeout") {
  await deleteKey(u.tx, key);
  await deleteWaitingItems(u.tx, { id: `${key}:${state.batchId}` });
  const events = await loadEvents(u.tx, state.eventIds);
  if (events.length)
    await createRunWithStartRules(u, fn, events, {
      statusReason:
        why === "full"
          ? `batch: started full with ${events.length} events`
          : `batch: started with ${events.length} event${events.length === 1 ? "" : "s"} when the timeout passed`,
    });
}

/** The batch timer fired: start the run with whatever the batch holds (if it is still that batch). */
export async function fireBatch(u: Unit, fn: RegisteredFunction | undefined, key: string, batchId: string): Promise<void> {
  const row = await lockKey(u.tx, key);
  if (!row.value) {
    await deleteKey(u.tx, key);
    return;
  }
  const state = JSON.parse(row.value) as BatchState;
  if (state.batchId !== batchId || !fn) return;
  await flushBatch(u, fn, key, state, "timeout");
}
