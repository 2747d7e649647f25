import type { Sql } from "@/lib/db/sql";

import type { ClaimedRow, LeaseDialect, PartitionRow } from "./lease";

/**
 * PostgreSQL leasing statements. Partitions, slots and items are all locked with FOR UPDATE
 * SKIP LOCKED, so concurrent leasers (other workers, other processes) take different
 * partitions instead of waiting, and a lease never waits on a completion that holds a slot
 * (their lock orders differ; nothing that never waits can deadlock). Items of all partitions
 * are claimed in a single statement.
 */
export const postgresLease: LeaseDialect = {
  duePartitions(tx: Sql, now: number, limit: number) {
    return tx.all<PartitionRow>(
      `SELECT id, slot1_key, slot1_limit, slot2_key, slot2_limit FROM queue_partitions
       WHERE blocked = false AND next_at <= ? ORDER BY next_at LIMIT ?
       FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
  },

  async readSlots(tx: Sql, keys: string[]) {
    // Slot rows exist from the moment their partition does (touchPartition). SKIP LOCKED: a
    // lease never waits while it holds partition rows, so it cannot take part in a deadlock.
    const rows = await tx.all<{ key: string; in_flight: number }>(
      `SELECT key, in_flight FROM concurrency_slots WHERE key = ANY(?::text[]) ORDER BY key FOR UPDATE SKIP LOCKED`,
      [keys],
    );
    const inFlight = new Map(rows.map((r) => [r.key, Number(r.in_flight)]));
    return { inFlight, busy: new Set(keys.filter((k) => !inFlight.has(k))) };
  },

  claim(tx: Sql, claims, lease) {
    return tx
      .all<ClaimedRow>(
        `WITH wanted AS (
         SELECT * FROM unnest(?::text[], ?::int[]) AS w(partition_id, n)
       ), picked AS (
         SELECT qi.id FROM wanted
         CROSS JOIN LATERAL (
           SELECT id FROM queue_items
           WHERE partition_id = wanted.partition_id AND state = 0 AND available_at <= ?
           ORDER BY available_at, id LIMIT wanted.n
           FOR UPDATE SKIP LOCKED
         ) qi
       )
       UPDATE queue_items q SET state = 1, lease_owner = ?, leased_at = ?, leased_until = ?
       FROM picked WHERE q.id = picked.id
       RETURNING q.id, q.partition_id, q.kind, q.run_id, q.function_id, q.payload, q.attempt, q.available_at`,
        [claims.map((c) => c.partitionId), claims.map((c) => c.count), lease.now, lease.owner, lease.now, lease.until],
      )
      .then((rows) => rows.sort((a, b) => a.available_at - b.available_at || (a.id < b.id ? -1 : 1)));
  },

  async updatePartitions(tx: Sql, updates, now) {
    if (updates.length === 0) return;
    await tx.run(
      `UPDATE queue_partitions p SET
         next_at = CASE WHEN u.served AND ready.at < ?::bigint THEN ?::bigint ELSE ready.at END,
         blocked = (u.blocked_on IS NOT NULL AND ready.at IS NOT NULL),
         blocked_on = CASE WHEN ready.at IS NULL THEN NULL ELSE u.blocked_on END
       FROM unnest(?::text[], ?::text[], ?::boolean[]) AS u(id, blocked_on, served)
       LEFT JOIN LATERAL (
         -- ORDER BY … LIMIT 1, not min(): the planner may turn min() into a scan of the whole
         -- partition when its statistics are stale; this is always one index step.
         SELECT available_at AS at FROM queue_items qi WHERE qi.partition_id = u.id AND qi.state = 0
         ORDER BY available_at LIMIT 1
       ) ready ON true
       WHERE p.id = u.id`,
      [now, now, updates.map((u) => u.id), updates.map((u) => u.blockedOn), updates.map((u) => u.served)],
    );
  },

  async addToSlots(tx: Sql, deltas) {
    await tx.run(
      `UPDATE concurrency_slots s SET in_flight = s.in_flight + d.n
       FROM unnest(?::text[], ?::int[]) AS d(key, n) WHERE s.key = d.key`,
      [[...deltas.keys()], [...deltas.values()]],
    );
  },
};
