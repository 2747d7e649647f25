import type { Unit } from "@/lib/execution/context";
import { cancelRun, createRun, createSkippedRun, loadEvents, type RunSpec } from "@/lib/execution/runs";
import type { StoredEvent } from "@/lib/events/event-schema";
import { deleteWaitingItems, enqueue } from "@/lib/queue/queue";
import { systemPartition } from "@/lib/queue/types";
import type { RegisteredFunction } from "@/lib/registry/registry";
import { celEvent, compileExpression, evaluateBool, evaluateValue } from "@/lib/routing/expressions";
import { parseDuration } from "@/lib/time/duration";

import { deleteKey, lockKey, rateLimitAllows, throttleStart, writeKey } from "./flow-keys";
import { evaluateKey, shortHash } from "./run-start";

/**
 * Flow control at the moment an event (or a batch, or a debounce timer) would start a run.
 * Rules run in this order: rate limit (lossy), idempotency, then batching or debounce (which
 * buffer events and start the run later), then singleton, throttle and priority (which decide
 * whether the new run replaces another and when it may start). Every skip is recorded as a
 * Skipped run naming the rule; every delay as the run's status reason.
 */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export async function scheduleRun(u: Unit, fn: RegisteredFunction, event: StoredEvent): Promise<void> {
  const { config } = fn;

  if (config.rateLimit) {
    const rule = config.rateLimit;
    const periodMs = parseDuration(rule.period) ?? 0;
    const keyValue = rule.key ? evaluateKey(rule.key, event) : "";
    const allowed = await rateLimitAllows(u.tx, `ratelimit:${fn.id}:${shortHash(keyValue)}`, u.now, {
      limit: rule.limit,
      periodMs,
    });
    if (!allowed) {
      await createSkippedRun(
        u,
        fn,
        [event],
        `rateLimit: more than ${rule.limit} per ${String(rule.period)}${rule.key ? ` for key ${keyValue}` : ""}`,
      );
      return;
    }
  }

  if (config.idempotency) {
    const keyValue = evaluateKey(config.idempotency, event);
    const key = `idempotency:${fn.id}:${shortHash(keyValue)}`;
    const row = await lockKey(u.tx, key);
    if (row.value && Number(row.expires_at ?? 0) > u.now) {
      await createSkippedRun(u, fn, [event], `idempotency: key ${keyValue} already started run ${row.value} within 24h`);
      return;
    }
    const runId = await createRunWithStartRules(u, fn, [event]);
    await writeKey(u.tx, key, { value: runId ?? "skipped", expiresAt: u.now + IDEMPOTENCY_WINDOW_MS });
    return;
  }

  if (config.batchEvents) {
    const rule = config.batchEvents;
    const batchable = rule.if ? evaluateBool(compileExpression(rule.if), { event: celEvent(event) }) : true;
    if (batchable) return addToBatch(u, fn, event);
  }

  if (config.debounce) return debounce(u, fn, event);

  await createRunWithStartRules(u, fn, [event]);
}

/** Singleton, throttle and priority, then the run itself. Answers the run id (null if skipped). */
export async function createRunWithStartRules(
  u: Unit,
  fn: RegisteredFunction,
  events: StoredEvent[],
  extra: Partial<RunSpec> = {},
): Promise<string | null> {
  const { config } = fn;
  const first = events[0];
  let singletonKey: string | null = null;
  let availableAt = u.now;
  const reasons: string[] = [];

  if (config.singleton) {
    const keyValue = config.singleton.key ? evaluateKey(config.singleton.key, first) : "";
    singletonKey = shortHash(keyValue);
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
          `singleton: run ${active[0]?.id} is already active${keyValue ? ` for key ${keyValue}` : ""}`,
        );
        return null;
      }
      for (const r of active) await cancelRun(u, r.id, "singleton: replaced by a newer run");
    }
  }

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
      reasons.push(`throttle: delayed ${start - u.now}ms (${rule.limit} per ${String(rule.period)})`);
    }
  }

  if (config.priority?.run && first) {
    const value = evaluateValue(compileExpression(config.priority.run), { event: celEvent(first) });
    const seconds = typeof value === "number" && Number.isFinite(value) ? Math.max(-600, Math.min(600, Math.trunc(value))) : 0;
    // Positive factors sort the run ahead of work queued up to that many seconds ago; negative ones delay it.
    if (seconds !== 0) {
      availableAt -= seconds * 1000;
      if (seconds < 0) reasons.push(`priority: delayed ${-seconds}s`);
    }
  }

  return createRun(u, {
    fn,
    events,
    singletonKey,
    availableAt,
    statusReason: reasons.length ? reasons.join("; ") : null,
    ...extra,
  });
}

interface DebounceState {
  eventId: string;
  firstAt: number;
}

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
  const fireAt = timeoutMs !== null ? Math.min(u.now + periodMs, firstAt + timeoutMs) : u.now + periodMs;
  await writeKey(u.tx, key, { value: JSON.stringify({ eventId: event.id, firstAt } satisfies DebounceState) });
  await enqueue(
    u.tx,
    [{ id: key, kind: "debounce", functionId: fn.id, payload: { key }, availableAt: fireAt, partition: systemPartition(fn.id) }],
    { replace: true },
  );
}

/** The debounce timer fired: start one run with the last event received for the key. */
export async function fireDebounce(u: Unit, fn: RegisteredFunction | undefined, key: string): Promise<void> {
  const row = await lockKey(u.tx, key);
  await deleteKey(u.tx, key);
  if (!row.value || !fn) return;
  const state = JSON.parse(row.value) as DebounceState;
  const events = await loadEvents(u.tx, [state.eventId]);
  if (events.length) await createRunWithStartRules(u, fn, events, { statusReason: "debounce: started with the last event" });
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
      statusReason: why === "full" ? `batch: ${events.length} events (full)` : `batch: ${events.length} events (timeout)`,
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
