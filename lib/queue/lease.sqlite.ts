import { placeholders, type Sql } from "@/lib/db/sql";

import type { ClaimedRow, LeaseDialect, PartitionRow } from "./lease";

/**
 * SQLite leasing statements. The surrounding transaction is BEGIN IMMEDIATE, which holds the
 * database's single write lock from the first read, so read-then-update here cannot race
 * with another worker or process.
 */
export const sqliteLease: LeaseDialect = {
  duePartitions(tx: Sql, now: number, limit: number) {
    return tx.all<PartitionRow>(
      `SELECT id, slot1_key, slot1_limit, slot2_key, slot2_limit FROM queue_partitions
       WHERE blocked = false AND next_at <= ? ORDER BY next_at LIMIT ?`,
      [now, limit],
    );
  },

  async readSlots(tx: Sql, keys: string[]) {
    const rows = await tx.all<{ key: string; in_flight: number }>(
      `SELECT key, in_flight FROM concurrency_slots WHERE key IN (${placeholders(keys.length)})`,
      keys,
    );
    return { inFlight: new Map(rows.map((r) => [r.key, Number(r.in_flight)])), busy: new Set<string>() };
  },

  async claim(tx: Sql, claims, lease) {
    const out: ClaimedRow[] = [];
    for (const c of claims) {
      const rows = await tx.all<ClaimedRow>(
        `UPDATE queue_items SET state = 1, lease_owner = ?, leased_at = ?, leased_until = ?
         WHERE id IN (SELECT id FROM queue_items WHERE partition_id = ? AND state = 0 AND available_at <= ?
                      ORDER BY available_at, id LIMIT ?)
         RETURNING id, partition_id, kind, run_id, function_id, payload, attempt, available_at`,
        [lease.owner, lease.now, lease.until, c.partitionId, lease.now, c.count],
      );
      rows.sort((a, b) => a.available_at - b.available_at || (a.id < b.id ? -1 : 1));
      out.push(...rows);
    }
    return out;
  },

  async updatePartitions(tx: Sql, updates, now) {
    for (const u of updates) {
      // A lone min() is answered from the index's first entry; wrapped in other expressions
      // SQLite would read every ready item of the partition.
      const row = await tx.get<{ at: number | null }>(
        `SELECT min(available_at) AS at FROM queue_items WHERE partition_id = ? AND state = 0`,
        [u.id],
      );
      const at = row?.at === null || row?.at === undefined ? null : Number(row.at);
      const parked = at !== null && u.blockedOn !== null;
      await tx.run(`UPDATE queue_partitions SET next_at = ?, blocked = ?, blocked_on = ? WHERE id = ?`, [
        at !== null && u.served && at < now ? now : at,
        parked,
        parked ? u.blockedOn : null,
        u.id,
      ]);
    }
  },

  async addToSlots(tx: Sql, deltas) {
    for (const [key, n] of deltas)
      await tx.run(
        `INSERT INTO concurrency_slots (key, in_flight) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET in_flight = concurrency_slots.in_flight + excluded.in_flight`,
        [key, n],
      );
  },
};
