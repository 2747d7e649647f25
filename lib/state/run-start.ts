import { createHash } from "node:crypto";

import { celEvent, compileExpression, evaluateValue } from "@/lib/cel/expressions";
import type { StoredEvent } from "@/lib/events/event-schema";
import { enqueue } from "@/lib/queue/queue";
import { systemPartition, type NewItem, type PartitionSpec, type SlotSpec } from "@/lib/queue/types";
import type { RegisteredFunction } from "@/lib/registry/registry";
import { parseDuration } from "@/lib/time/duration";

import type { Unit } from "./context";

export const shortHash = (value: string) => createHash("sha1").update(value).digest("hex").slice(0, 16);

/** Evaluates a key expression on the trigger event; a failed evaluation is its own key. */
export function evaluateKey(expression: string, event: StoredEvent | undefined): string {
  const value = event ? evaluateValue(compileExpression(expression), { event: celEvent(event) }) : undefined;
  return value === undefined ? "<error>" : typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The virtual queue a run's steps go through. Without a keyed concurrency limit it is one queue
 * per function; with one, one queue per key value, so a user flooding events waits in their own
 * queue while others keep starting. Each limit becomes a slot: `fn` scope per function,
 * `env`/`account` scope shared by every function using the same key expression.
 */
export function runPartition(fn: RegisteredFunction, event: StoredEvent | undefined): PartitionSpec {
  const slots: SlotSpec[] = [];
  const keyParts: string[] = [];
  for (const limit of fn.config.concurrency ?? []) {
    const scope = limit.scope ?? "fn";
    const keyValue = limit.key ? shortHash(evaluateKey(limit.key, event)) : null;
    if (keyValue) keyParts.push(keyValue);
    // fn scope counts per function; env/account scope counts every function whose key
    // evaluates to the same value (e.g. a shared third-party API).
    const base = scope === "fn" ? `fn:${fn.id}` : scope;
    slots.push({ key: keyValue ? `c:${base}:${keyValue}` : `c:${base}`, limit: limit.limit });
  }
  return {
    id: keyParts.length ? `fn:${fn.id}:${keyParts.join(":")}` : `fn:${fn.id}`,
    functionId: fn.id,
    slots: slots.slice(0, 2),
  };
}

/** `timeouts.start` / `timeouts.finish`: timers that cancel a run which did not start or finish in time. */
export function startTimeoutItem(now: number, fn: RegisteredFunction, runId: string): NewItem | null {
  const start = fn.config.timeouts?.start;
  if (start === undefined) return null;
  const ms = parseDuration(start);
  if (ms === null) return null;
  return {
    id: `timeout:start:${runId}`,
    kind: "timeout",
    runId,
    functionId: fn.id,
    payload: { type: "start", limit: String(start) },
    availableAt: now + ms,
    partition: systemPartition(fn.id),
  };
}

export async function finishTimeout(u: Unit, fn: RegisteredFunction, runId: string): Promise<void> {
  const finish = fn.config.timeouts?.finish;
  if (finish === undefined) return;
  const ms = parseDuration(finish);
  if (ms === null) return;
  await enqueue(u.tx, [
    {
      id: `timeout:finish:${runId}`,
      kind: "timeout",
      runId,
      functionId: fn.id,
      payload: { type: "finish", limit: String(finish) },
      availableAt: u.now + ms,
      partition: systemPartition(fn.id),
    },
  ]);
}

/**
 * When a run's first item becomes available under `priority.run` (`factor` seconds): a positive
 * factor sorts it ahead of work queued up to `factor` seconds ago (never earlier than a
 * throttled start allows: a delayed start is left alone), a negative one delays it.
 */
export function priorityStart(now: number, availableAt: number, factor: number): { at: number; reason: string | null } {
  if (factor > 0 && availableAt <= now) return { at: now - factor * 1000, reason: null };
  if (factor < 0) return { at: availableAt - factor * 1000, reason: `priority: start delayed ${-factor}s` };
  return { at: availableAt, reason: null };
}

/**
 * When a later step of a run becomes available: the run keeps its priority for its whole life,
 * as Inngest does, so a high-priority run's steps also go ahead of the backlog instead of
 * queueing behind it once started. Only work due now moves: a sleep or a wait timeout fires
 * at its time. A negative factor keeps the run's steps from sorting ahead of its delayed start
 * (a run that waited out its delay is not delayed again on every step).
 */
export function priorityStepAt(now: number, availableAt: number, factor: number, queuedAt: number): number {
  if (factor === 0 || availableAt > now) return availableAt;
  if (factor > 0) return availableAt - factor * 1000;
  return Math.max(availableAt, queuedAt - factor * 1000);
}
