import { chunk, valuesList } from "@/lib/db/sql";
import type { StoredEvent } from "@/lib/events/event-schema";
import { newId } from "@/lib/ids";
import { enqueue, MAX_ROWS } from "@/lib/queue/queue";
import type { NewItem, PartitionSpec } from "@/lib/queue/types";
import { cancelExpression } from "@/lib/registry/function-config";
import type { RegisteredFunction } from "@/lib/registry/registry";
import { parseDuration } from "@/lib/time/duration";

import type { Unit } from "./context";
import { runPartition, startTimeoutItem } from "./run-start";
import type { Invocation } from "./runs";
import { insertStep } from "./steps";

/** What a new run is: its function, trigger events and how flow control started it. */
export interface RunSpec {
  fn: RegisteredFunction;
  events: StoredEvent[];
  /** event name, "cron" or "invoke" (for lists) */
  trigger?: string;
  cron?: string | null;
  invocation?: Invocation | null;
  origin?: { runId: string; stepId?: string | null } | null;
  /** unique per run when set (cron slots) */
  dedupeKey?: string | null;
  singletonKey?: string | null;
  /** events that led to this run without being its input (those a debounce replaced) */
  foldedEventIds?: string[];
  /** when the first step may run (throttle, priority) */
  availableAt?: number;
  /** `priority.run` factor in seconds, kept for every later step (and by reruns) */
  priority?: number;
  /** why the start was delayed, for the dashboard */
  statusReason?: string | null;
  /** results carried over by "rerun from step" */
  memo?: { hashedId: string; name: string | null; op: string; memo: unknown; output?: unknown; error?: unknown }[];
}

export async function createRun(u: Unit, spec: RunSpec): Promise<string | null> {
  const [id] = await createRuns(u, [spec]);
  return id ?? null;
}

/** A run whose ids are drawn: a batch inserted later keeps the order its runs were decided in. */
export interface PlannedRun {
  spec: RunSpec;
  id: string;
  /** the first exec item */
  itemId: string;
  partition: PartitionSpec;
}

export function planRun(u: Unit, spec: RunSpec): PlannedRun {
  const id = newId(u.now);
  return { spec, id, itemId: newId(u.now), partition: runPartition(spec.fn, spec.events[0]) };
}

/**
 * Creates runs: answers each one's id, or null for a run whose `dedupeKey` already exists (a
 * cron slot another process started). Many runs cost a few multi-row statements per table, not
 * a handful each (an ingest request of 5,000 events starts its runs with ~40 statements).
 */
export async function createRuns(u: Unit, specs: readonly RunSpec[]): Promise<(string | null)[]> {
  return insertRuns(
    u,
    specs.map((spec) => planRun(u, spec)),
  );
}

const RUN_COLUMNS_INSERTED = 18;

export async function insertRuns(u: Unit, plans: readonly PlannedRun[]): Promise<(string | null)[]> {
  const { tx, now } = u;
  const inserted = new Set<string>();
  for (const part of chunk(plans, MAX_ROWS)) {
    const params: unknown[] = [];
    for (const { spec, id, partition } of part) {
      const first = spec.events[0];
      params.push(
        id,
        spec.fn.id,
        spec.fn.appId,
        first?.id ?? null,
        JSON.stringify(spec.events.map((e) => e.id)),
        spec.trigger ?? first?.name ?? "manual",
        spec.cron ?? null,
        spec.statusReason ?? null,
        spec.dedupeKey ?? null,
        spec.singletonKey ?? null,
        JSON.stringify(partition),
        spec.invocation ? JSON.stringify(spec.invocation) : null,
        spec.origin?.runId ?? null,
        spec.origin?.stepId ?? null,
        spec.priority ?? 0,
        now,
        now,
        "Queued",
      );
    }
    const rows = await tx.all<{ id: string }>(
      `INSERT INTO runs (id, function_id, app_id, event_id, event_ids, trigger, cron, status_reason,
                         dedupe_key, singleton_key, partition, invocation, origin_run_id, origin_step_id,
                         priority, queued_at, updated_at, status)
       VALUES ${valuesList(part.length, RUN_COLUMNS_INSERTED)}
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      params,
    );
    for (const r of rows) inserted.add(r.id);
  }
  const created = plans.filter((p) => inserted.has(p.id));
  if (created.length === 0) return plans.map(() => null);

  // Every event the run stands for lists it (GET /v1/events/<id>/runs), not just the first.
  const links: [string, string][] = [];
  for (const { spec, id } of created)
    for (const eventId of [...spec.events.slice(1).map((e) => e.id), ...(spec.foldedEventIds ?? [])]) links.push([eventId, id]);
  for (const part of chunk(links, MAX_ROWS))
    await tx.run(
      `INSERT INTO run_events (event_id, run_id) VALUES ${valuesList(part.length, 2)} ON CONFLICT DO NOTHING`,
      part.flat(),
    );

  for (const { spec, id } of created)
    for (const m of spec.memo ?? [])
      await insertStep(u, {
        runId: id,
        hashedId: m.hashedId,
        name: m.name,
        op: m.op,
        status: "Completed",
        output: m.output,
        error: m.error,
        memo: { value: m.memo },
        startedAt: now,
        endedAt: now,
      });

  // The first items in run order (= event order), then the start timeouts.
  const items: NewItem[] = [];
  const timeouts: NewItem[] = [];
  for (const { spec, id, itemId, partition } of created) {
    const availableAt = spec.availableAt ?? now;
    items.push({
      id: itemId,
      kind: "exec",
      runId: id,
      functionId: spec.fn.id,
      payload: { stepId: "step" },
      availableAt,
      partition,
    });
    if (availableAt <= now) u.wake = true;
    const timeout = startTimeoutItem(now, spec.fn, id);
    if (timeout) timeouts.push(timeout);
  }
  await enqueue(tx, [...items, ...timeouts]);

  // cancelOn: a pause per cancel event, matched like waitForEvent.
  const pauses: unknown[][] = [];
  for (const { spec, id } of created)
    for (const c of spec.fn.config.cancel ?? []) {
      const timeout = c.timeout !== undefined ? parseDuration(c.timeout) : null;
      pauses.push([newId(now), id, "cancel", c.event, cancelExpression(c) ?? null, now, timeout !== null ? now + timeout : null]);
    }
  for (const part of chunk(pauses, MAX_ROWS))
    await tx.run(
      `INSERT INTO pauses (id, run_id, kind, event_name, expression, created_at, expires_at) VALUES ${valuesList(part.length, 7)}`,
      part.flat(),
    );

  for (const { spec, id } of created)
    u.messages.push({ topic: "run.changed", payload: { id, functionId: spec.fn.id, status: "Queued", appId: spec.fn.appId } });
  return plans.map((p) => (inserted.has(p.id) ? p.id : null));
}

/** Records that a rule declined to start a run, so users can see why nothing ran. */
export async function createSkippedRun(u: Unit, fn: RegisteredFunction, events: StoredEvent[], reason: string): Promise<string> {
  const id = newId(u.now);
  const first = events[0];
  await u.tx.run(
    `INSERT INTO runs (id, function_id, app_id, event_id, event_ids, trigger, status, status_reason, queued_at, ended_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'Skipped', ?, ?, ?, ?)`,
    [
      id,
      fn.id,
      fn.appId,
      first?.id ?? null,
      JSON.stringify(events.map((e) => e.id)),
      first?.name ?? "manual",
      reason,
      u.now,
      u.now,
      u.now,
    ],
  );
  for (const part of chunk(events.slice(1), 200))
    await u.tx.run(
      `INSERT INTO run_events (event_id, run_id) VALUES ${valuesList(part.length, 2)} ON CONFLICT DO NOTHING`,
      part.flatMap((e) => [e.id, id]),
    );
  u.messages.push({ topic: "run.changed", payload: { id, functionId: fn.id, status: "Skipped", appId: fn.appId } });
  return id;
}
