import type { Sql } from "@/lib/db/sql";

import { postgresLease } from "./lease.postgres";
import { sqliteLease } from "./lease.sqlite";
import { wakeParked } from "./queue";
import type { ItemKind, LeasedItem } from "./types";

/**
 * Leasing: one transaction that picks due partitions oldest-first, checks their concurrency
 * slots, claims up to the allowed number of items from each, and parks partitions whose slots
 * are full (they are woken when a slot frees). Fairness comes from walking partitions, not
 * items, round-robin: a partition that was served moves behind every partition still waiting
 * (its next_at becomes at least the lease time), so one with 10,000 waiting items gets the same
 * turns as one with a single item. Every step is an index lookup, so the cost does not grow
 * with waiting items or keys.
 *
 * The statements that differ by dialect (row locking, batching) live in lease.sqlite.ts and
 * lease.postgres.ts; SQLite transactions are BEGIN IMMEDIATE (one writer), PostgreSQL ones lock
 * partitions with FOR UPDATE SKIP LOCKED and slots with FOR UPDATE, so two processes never
 * claim the same item or overfill a slot.
 */
export interface PartitionRow {
  id: string;
  slot1_key: string | null;
  slot1_limit: number | null;
  slot2_key: string | null;
  slot2_limit: number | null;
}

export interface ClaimedRow {
  id: string;
  partition_id: string;
  kind: string;
  run_id: string | null;
  function_id: string | null;
  payload: string;
  attempt: number;
  available_at: number;
}

export interface PartitionUpdate {
  id: string;
  blockedOn: string | null;
  /** items were claimed from it in this lease: it goes behind partitions still waiting */
  served: boolean;
}

export interface SlotRead {
  inFlight: Map<string, number>;
  /** slots another transaction holds right now (PostgreSQL): their partitions wait for the next lease */
  busy: Set<string>;
}

export interface LeaseDialect {
  duePartitions(tx: Sql, now: number, limit: number): Promise<PartitionRow[]>;
  /** reads (and on PostgreSQL locks, never waiting) the slots' counts */
  readSlots(tx: Sql, keys: string[]): Promise<SlotRead>;
  claim(
    tx: Sql,
    claims: { partitionId: string; count: number }[],
    lease: { now: number; owner: string; until: number },
  ): Promise<ClaimedRow[]>;
  /**
   * Recomputes next_at from the remaining ready items (for a served partition: no earlier than
   * `now`) and parks the partition on `blockedOn`, unless no ready item is left (an empty
   * partition is never parked: new work reaches it through touchPartition).
   */
  updatePartitions(tx: Sql, updates: PartitionUpdate[], now: number): Promise<void>;
  addToSlots(tx: Sql, deltas: Map<string, number>): Promise<void>;
}

export interface LeaseRequest {
  now: number;
  owner: string;
  leaseMs: number;
  max: number;
}

export function leaseDialect(sql: Sql): LeaseDialect {
  return sql.dialect === "postgres" ? postgresLease : sqliteLease;
}

export async function leaseItems(sql: Sql, request: LeaseRequest): Promise<LeasedItem[]> {
  if (request.max <= 0) return [];
  const dialect = leaseDialect(sql);
  return sql.tx(async (tx) => {
    const partitions = await dialect.duePartitions(tx, request.now, request.max);
    if (partitions.length === 0) return [];
    const slotKeys = new Set<string>();
    for (const p of partitions) {
      if (p.slot1_key) slotKeys.add(p.slot1_key);
      if (p.slot2_key) slotKeys.add(p.slot2_key);
    }
    // Slots are locked in key order everywhere (here, releaseSlots, reclaimExpired): no deadlocks.
    const { inFlight, busy } = slotKeys.size
      ? await dialect.readSlots(tx, [...slotKeys].sort())
      : { inFlight: new Map<string, number>(), busy: new Set<string>() };

    const perPartition = Math.max(1, Math.ceil(request.max / partitions.length));
    let budget = request.max;
    const claims: { partitionId: string; count: number }[] = [];
    const slotsOf = new Map<string, { key: string; limit: number }[]>();
    const updates: PartitionUpdate[] = [];
    for (const p of partitions) {
      const slots = partitionSlots(p);
      // A slot being released by another transaction right now: this partition is left as it
      // is (still due) and served by the lease that the release wakes.
      if (slots.some((s) => busy.has(s.key))) continue;
      slotsOf.set(p.id, slots);
      if (budget === 0) {
        updates.push({ id: p.id, blockedOn: null, served: false });
        continue;
      }
      const { capacity, fullKey } = slotCapacity(slots, inFlight);
      if (capacity <= 0) {
        updates.push({ id: p.id, blockedOn: fullKey, served: false });
        continue;
      }
      const count = Math.min(capacity, perPartition, budget);
      claims.push({ partitionId: p.id, count });
      budget -= count;
      // Reserve now so a second partition sharing a slot in this same lease sees it taken.
      for (const s of slots) inFlight.set(s.key, (inFlight.get(s.key) ?? 0) + count);
    }

    const until = request.now + request.leaseMs;
    const rows = claims.length ? await dialect.claim(tx, claims, { now: request.now, owner: request.owner, until }) : [];

    // Give back reservations that found fewer items than reserved, then record the real counts.
    const claimedPer = new Map<string, number>();
    for (const r of rows) claimedPer.set(r.partition_id, (claimedPer.get(r.partition_id) ?? 0) + 1);
    const deltas = new Map<string, number>();
    /** slots a partition reserved and found nothing for: they may wake another parked partition */
    const unused = new Map<string, number>();
    for (const c of claims) {
      const got = claimedPer.get(c.partitionId) ?? 0;
      const slots = slotsOf.get(c.partitionId) ?? [];
      for (const s of slots) {
        inFlight.set(s.key, (inFlight.get(s.key) ?? 0) - (c.count - got));
        if (got > 0) deltas.set(s.key, (deltas.get(s.key) ?? 0) + got);
        if (got < c.count) unused.set(s.key, (unused.get(s.key) ?? 0) + (c.count - got));
      }
    }
    for (const c of claims) {
      const { capacity, fullKey } = slotCapacity(slotsOf.get(c.partitionId) ?? [], inFlight);
      const served = (claimedPer.get(c.partitionId) ?? 0) > 0;
      updates.push({ id: c.partitionId, blockedOn: capacity <= 0 ? fullKey : null, served });
    }
    if (deltas.size) await dialect.addToSlots(tx, deltas);
    await dialect.updatePartitions(tx, updates, request.now);
    // A partition woken for a freed slot may have had its work cancelled meanwhile; pass the
    // wake-up on to the partitions still parked on that slot, so none is stranded.
    for (const [key, n] of unused) {
      const limit = slotLimit(key, slotsOf);
      const free = limit - (inFlight.get(key) ?? 0);
      if (free > 0) await wakeParked(tx, key, Math.min(n, free));
    }

    return rows.map((r) => ({
      id: r.id,
      partitionId: r.partition_id,
      kind: r.kind as ItemKind,
      runId: r.run_id,
      functionId: r.function_id,
      payload: JSON.parse(r.payload) as unknown,
      attempt: Number(r.attempt),
      availableAt: Number(r.available_at),
      leasedAt: request.now,
      slotKeys: (slotsOf.get(r.partition_id) ?? []).map((s) => s.key),
    }));
  });
}

function slotLimit(key: string, slotsOf: Map<string, { key: string; limit: number }[]>): number {
  for (const slots of slotsOf.values()) for (const s of slots) if (s.key === key) return s.limit;
  return 0;
}

function partitionSlots(p: PartitionRow): { key: string; limit: number }[] {
  const out: { key: string; limit: number }[] = [];
  if (p.slot1_key && p.slot1_limit !== null) out.push({ key: p.slot1_key, limit: Number(p.slot1_limit) });
  if (p.slot2_key && p.slot2_limit !== null) out.push({ key: p.slot2_key, limit: Number(p.slot2_limit) });
  return out;
}

function slotCapacity(
  slots: { key: string; limit: number }[],
  inFlight: Map<string, number>,
): { capacity: number; fullKey: string | null } {
  let capacity = Number.POSITIVE_INFINITY;
  let fullKey: string | null = null;
  for (const s of slots) {
    const free = s.limit - (inFlight.get(s.key) ?? 0);
    if (free < capacity) {
      capacity = free;
      fullKey = s.key;
    }
  }
  return { capacity, fullKey: capacity <= 0 ? fullKey : null };
}
