import { lockRows } from "@/lib/db/locks";
import { chunk, valuesList, type Sql } from "@/lib/db/sql";

import type { LeasedItem, NewItem, PartitionSpec } from "./types";

/**
 * Durable queue operations. Every function takes the caller's transaction, so enqueueing work
 * commits together with the state change that caused it (a crash in between loses nothing and
 * duplicates nothing).
 */

const ITEM_COLUMNS = 10;
/** Rows per multi-row statement: well under both drivers' parameter limits at every width here. */
export const MAX_ROWS = 500;

export interface EnqueueOptions {
  /** for re-schedulable timers (debounce): a waiting item with the same id moves to the new time */
  replace?: boolean;
}

export async function enqueue(tx: Sql, items: readonly NewItem[], options: EnqueueOptions = {}): Promise<void> {
  if (items.length === 0) return;
  const now = Date.now();
  const conflict = options.replace
    ? `ON CONFLICT (id) DO UPDATE SET available_at = excluded.available_at, payload = excluded.payload WHERE queue_items.state = 0`
    : `ON CONFLICT (id) DO NOTHING`;
  for (const part of chunk(items, MAX_ROWS)) {
    const params: unknown[] = [];
    for (const item of part)
      params.push(
        item.id,
        item.partition.id,
        item.kind,
        item.runId ?? null,
        item.functionId ?? null,
        JSON.stringify(item.payload ?? {}),
        0,
        item.availableAt,
        item.attempt ?? 0,
        now,
      );
    await tx.run(
      `INSERT INTO queue_items (id, partition_id, kind, run_id, function_id, payload, state, available_at, attempt, created_at)
       VALUES ${valuesList(part.length, ITEM_COLUMNS)} ${conflict}`,
      params,
    );
  }
  // The partition rows are written once per transaction, at its end (see PARTITION_TOUCHES).
  const pending = tx.deferred(PARTITION_TOUCHES, () => new Map<string, PartitionTouch>(), touchPartitions);
  const earliest = pending ?? new Map<string, PartitionTouch>();
  for (const item of items) {
    const seen = earliest.get(item.partition.id);
    if (!seen) earliest.set(item.partition.id, { spec: item.partition, at: item.availableAt });
    else {
      seen.spec = item.partition;
      seen.at = Math.min(seen.at, item.availableAt);
    }
  }
  if (!pending) await touchPartitions(earliest, tx);
}

interface PartitionTouch {
  spec: PartitionSpec;
  at: number;
}

/**
 * Partition touches are deferred to the end of the enqueuing transaction and merged: a unit
 * that starts 100 runs of one function writes its partition row once, not 100 times, and on
 * PostgreSQL the row — which every enqueuer and the leaser of that function lock — stays
 * locked only from that last write to the COMMIT instead of for the whole transaction (it
 * was the bottleneck at a few hundred events/s). A locked partition is also skipped by
 * leasing, so touched at the start of a long ingest transaction, a user streaming events into
 * their own queue would keep it out of reach. Rows are written in id order, so two
 * transactions touching the same partitions lock them in the same order.
 */
const PARTITION_TOUCHES = Symbol("queue.partitionTouches");

async function touchPartitions(touches: Map<string, PartitionTouch>, tx: Sql): Promise<void> {
  const ordered = [...touches.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  await touchPartitionRows(tx, ordered);
}

/** Whether the slot a parked partition waits on has room now (it may be un-parked). */
const PARKED_SLOT_HAS_ROOM = `queue_partitions.blocked AND EXISTS (
  SELECT 1 FROM concurrency_slots s WHERE s.key = queue_partitions.blocked_on
    AND s.in_flight < CASE WHEN queue_partitions.blocked_on = queue_partitions.slot1_key
                           THEN queue_partitions.slot1_limit ELSE queue_partitions.slot2_limit END)`;

/**
 * Creates the partition or moves its next_at earlier (only when it is not due yet: a due one,
 * such as a served one sitting at "now" behind the others, is looked at anyway); refreshes its
 * concurrency slots and creates their rows, so leasing only ever locks existing slot rows. New
 * work un-parks a partition whose slot has room again, so a missed wake-up never strands work.
 */
export async function touchPartition(tx: Sql, spec: PartitionSpec, at: number): Promise<void> {
  await touchPartitionRows(tx, [{ spec, at }]);
}

/**
 * touchPartition for many partitions (distinct ids, already in lock order) in a few multi-row
 * statements: a batch over a keyed concurrency limit touches one partition per key value.
 * PostgreSQL processes VALUES rows in order, so the row locks are still taken in id order.
 */
async function touchPartitionRows(tx: Sql, touches: readonly PartitionTouch[]): Promise<void> {
  if (touches.length === 0) return;
  const now = Date.now();
  for (const part of chunk(touches, MAX_ROWS)) {
    const params: unknown[] = [];
    for (const { spec, at } of part) {
      const [s1, s2] = spec.slots;
      params.push(spec.id, spec.functionId, at, false, s1?.key ?? null, s1?.limit ?? null, s2?.key ?? null, s2?.limit ?? null);
    }
    await tx.run(
      `INSERT INTO queue_partitions (id, function_id, next_at, blocked, slot1_key, slot1_limit, slot2_key, slot2_limit)
       VALUES ${valuesList(part.length, 8)}
       ON CONFLICT (id) DO UPDATE SET
         next_at = CASE WHEN queue_partitions.next_at IS NULL
                          OR (excluded.next_at < queue_partitions.next_at AND queue_partitions.next_at > ?)
                        THEN excluded.next_at ELSE queue_partitions.next_at END,
         blocked = CASE WHEN ${PARKED_SLOT_HAS_ROOM} THEN false ELSE queue_partitions.blocked END,
         blocked_on = CASE WHEN ${PARKED_SLOT_HAS_ROOM} THEN NULL ELSE queue_partitions.blocked_on END,
         slot1_key = excluded.slot1_key, slot1_limit = excluded.slot1_limit,
         slot2_key = excluded.slot2_key, slot2_limit = excluded.slot2_limit`,
      [...params, now],
    );
  }
  const slots = [...new Set(touches.flatMap((t) => t.spec.slots.map((s) => s.key)))].sort();
  for (const part of chunk(slots, MAX_ROWS))
    await tx.run(
      `INSERT INTO concurrency_slots (key, in_flight) VALUES ${valuesList(part.length, 2)} ON CONFLICT (key) DO NOTHING`,
      part.flatMap((key) => [key, 0]),
    );
}

/**
 * True while `owner` holds the item's lease; on PostgreSQL it also locks the item, so a
 * reclaim cannot hand it to another process before this transaction ends. Results of a call
 * are applied only under the lease: a process whose lease expired (or was handed back at
 * shutdown) leaves the work to the next owner instead of writing a second result.
 */
export async function holdsLease(tx: Sql, item: LeasedItem, owner: string): Promise<boolean> {
  const row = await tx.get(`SELECT 1 AS one FROM queue_items WHERE id = ? AND lease_owner = ? AND state = 1${lockRows(tx)}`, [
    item.id,
    owner,
  ]);
  return row !== undefined;
}

/** Removes a finished item. False when this process no longer holds its lease. */
export async function completeItem(tx: Sql, item: LeasedItem, owner: string): Promise<boolean> {
  const removed = await tx.run(`DELETE FROM queue_items WHERE id = ? AND lease_owner = ? AND state = 1`, [item.id, owner]);
  if (removed === 0) return false;
  await releaseSlots(tx, item.slotKeys);
  return true;
}

/** Puts a leased item back to run again at `availableAt` (a retry, or a deferred start). */
export async function requeueItem(
  tx: Sql,
  item: LeasedItem,
  owner: string,
  change: { availableAt: number; attempt?: number; payload?: unknown },
): Promise<boolean> {
  const updated = await tx.run(
    `UPDATE queue_items SET state = 0, lease_owner = NULL, leased_at = NULL, leased_until = NULL,
            available_at = ?, attempt = ?, payload = ?
     WHERE id = ? AND lease_owner = ? AND state = 1`,
    [change.availableAt, change.attempt ?? item.attempt, JSON.stringify(change.payload ?? item.payload ?? {}), item.id, owner],
  );
  if (updated === 0) return false;
  // Partition before slots, the order leasing takes them in (PostgreSQL row locks).
  await moveNextAtEarlier(tx, item.partitionId, change.availableAt);
  await releaseSlots(tx, item.slotKeys);
  return true;
}

async function moveNextAtEarlier(tx: Sql, partitionId: string, at: number): Promise<void> {
  await tx.run(`UPDATE queue_partitions SET next_at = ? WHERE id = ? AND (next_at IS NULL OR next_at > ?)`, [
    at,
    partitionId,
    at,
  ]);
}

/** Partitions woken per freed slot: one to take it, one spare in case the first finds nothing. */
const WAKE_PER_RELEASE = 2;

/**
 * Frees one place in each slot and wakes partitions parked on it. Keys are taken in sorted
 * order, as leasing locks them, so concurrent transactions cannot deadlock on slot rows.
 */
export async function releaseSlots(tx: Sql, keys: readonly string[]): Promise<void> {
  for (const key of [...keys].sort()) {
    await tx.run(`UPDATE concurrency_slots SET in_flight = in_flight - 1 WHERE key = ? AND in_flight > 0`, [key]);
    await wakeParked(tx, key, WAKE_PER_RELEASE);
  }
}

/**
 * Un-parks the `n` partitions waiting longest on a slot (an index range on blocked_on,
 * next_at). Waking a bounded number keeps a release O(1) however many keys wait on a shared
 * slot; a woken partition that finds nothing wakes the next one when it is leased (lease.ts).
 * Rows another transaction holds are skipped, never waited for: that one is touching the
 * partition, which un-parks it anyway.
 */
export async function wakeParked(tx: Sql, slotKey: string, n: number): Promise<number> {
  const lock = lockRows(tx, { skipLocked: true });
  return tx.run(
    `UPDATE queue_partitions SET blocked = false, blocked_on = NULL
     WHERE id IN (SELECT id FROM queue_partitions WHERE blocked_on = ? AND next_at IS NOT NULL
                  ORDER BY next_at LIMIT ?${lock})`,
    [slotKey, n],
  );
}

/** Deletes waiting (not leased) items, e.g. of a cancelled run. Leased ones finish and find the run over. */
export async function deleteWaitingItems(tx: Sql, where: { runId?: string; id?: string }): Promise<number> {
  if (where.id) return tx.run(`DELETE FROM queue_items WHERE id = ? AND state = 0`, [where.id]);
  if (where.runId) return tx.run(`DELETE FROM queue_items WHERE run_id = ? AND state = 0`, [where.runId]);
  return 0;
}

/** Keeps this process's leases alive while their calls are in flight. */
export async function extendLeases(sql: Sql, owner: string, until: number): Promise<number> {
  return sql.run(`UPDATE queue_items SET leased_until = ? WHERE lease_owner = ? AND state = 1`, [until, owner]);
}

/**
 * Returns items whose lease expired (their process died or stalled) to the queue. Their slots
 * are released and their partitions made due again, so the work is picked up by any process.
 */
export async function reclaimExpired(sql: Sql, now: number, limit = 500): Promise<number> {
  return sql.tx(async (tx) => {
    const rows = await tx.all<{ id: string; partition_id: string; slot1_key: string | null; slot2_key: string | null }>(
      `SELECT qi.id, qi.partition_id, p.slot1_key, p.slot2_key
       FROM queue_items qi JOIN queue_partitions p ON p.id = qi.partition_id
       WHERE qi.state = 1 AND qi.leased_until < ? ORDER BY qi.id LIMIT ${limit}`,
      [now],
    );
    const partitions = new Set<string>();
    const slots: string[] = [];
    let reclaimed = 0;
    for (const row of rows) {
      const changed = await tx.run(
        `UPDATE queue_items SET state = 0, lease_owner = NULL, leased_at = NULL, leased_until = NULL
         WHERE id = ? AND state = 1 AND leased_until < ?`,
        [row.id, now],
      );
      if (changed === 0) continue;
      reclaimed++;
      partitions.add(row.partition_id);
      for (const key of [row.slot1_key, row.slot2_key]) if (key) slots.push(key);
    }
    // Partitions, then slots in key order: the order leasing locks them in.
    for (const id of [...partitions].sort()) await moveNextAtEarlier(tx, id, now);
    await releaseSlots(tx, slots);
    return reclaimed;
  });
}

/**
 * Drops partitions with nothing queued or leased (one is created per concurrency-key value, so
 * they would pile up with every user ever seen). The conditions are repeated on the deleted row
 * itself: a partition an enqueue touched meanwhile (next_at set in the same transaction as its
 * item) is kept, and one deleted just before an enqueue is simply created again by its touch.
 */
export async function purgeIdlePartitions(sql: Sql, limit = 1000): Promise<number> {
  return sql.run(
    `DELETE FROM queue_partitions
     WHERE id IN (SELECT p.id FROM queue_partitions p
                  WHERE p.blocked = false AND p.next_at IS NULL
                    AND NOT EXISTS (SELECT 1 FROM queue_items q WHERE q.partition_id = p.id)
                  LIMIT ${limit})
       AND blocked = false AND next_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM queue_items q WHERE q.partition_id = queue_partitions.id)`,
  );
}

/** Items waiting (ready now or later) and leased, for /metrics and the dashboard. */
export async function queueDepth(sql: Sql): Promise<{ waiting: number; leased: number }> {
  const rows = await sql.all<{ state: number; n: number }>(`SELECT state, count(*) AS n FROM queue_items GROUP BY state`);
  let waiting = 0;
  let leased = 0;
  for (const r of rows) {
    if (Number(r.state) === 1) leased = Number(r.n);
    else waiting = Number(r.n);
  }
  return { waiting, leased };
}
