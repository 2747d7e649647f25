import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Dialect, Sql } from "@/lib/db/sql";
import { leaseItems } from "@/lib/queue/lease";
import { completeItem, enqueue, reclaimExpired, requeueItem } from "@/lib/queue/queue";
import type { LeasedItem, PartitionSpec } from "@/lib/queue/types";

import { createTestSql, type TestSql } from "./test-sql";

/**
 * The leasing contract, run against a real database of each dialect (lease.sqlite.test.ts,
 * lease.postgres.test.ts): atomic claims, concurrency slots, parking and waking, expired
 * leases, fairness between partitions, and a lease cost that does not grow with the backlog.
 */
export const partition = (id: string, slots: { key: string; limit: number }[] = []): PartitionSpec => ({
  id,
  functionId: null,
  slots,
});

let seq = 0;
/** Enqueues `n` ready items (available `ageMs` ago) into a partition. */
export async function fill(sql: Sql, p: PartitionSpec, n: number, ageMs = 1000): Promise<string[]> {
  const at = Date.now() - ageMs;
  const items = Array.from({ length: n }, () => ({
    id: `${p.id}/${String(++seq).padStart(8, "0")}`,
    kind: "exec" as const,
    payload: { n: seq },
    availableAt: at,
    partition: p,
  }));
  await sql.tx((tx) => enqueue(tx, items));
  return items.map((i) => i.id);
}

/**
 * Bulk backlog for the cost measurement: `perPartition` items in each partition, all with one
 * available_at (the worst case for ordering), written in two statements.
 */
async function bulkFill(sql: Sql, partitionIds: string[], perPartition: number, at: number): Promise<void> {
  const now = Date.now();
  if (sql.dialect === "postgres") {
    await sql.run(
      `INSERT INTO queue_items (id, partition_id, kind, payload, state, available_at, attempt, created_at)
       SELECT p.id || '/' || lpad(x::text, 8, '0'), p.id, 'exec', '{}', 0, ?, 0, ?
       FROM unnest(?::text[]) AS p(id) CROSS JOIN generate_series(1, ?) AS x`,
      [at, now, partitionIds, perPartition],
    );
    await sql.run(`INSERT INTO queue_partitions (id, next_at, blocked) SELECT id, ?, false FROM unnest(?::text[]) AS p(id)`, [
      at,
      partitionIds,
    ]);
    return;
  }
  await sql.run(
    `INSERT INTO queue_items (id, partition_id, kind, payload, state, available_at, attempt, created_at)
     WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?),
       p(id) AS (SELECT value FROM json_each(?))
     SELECT p.id || '/' || printf('%08d', x), p.id, 'exec', '{}', 0, ?, 0, ? FROM p, c`,
    [perPartition, JSON.stringify(partitionIds), at, now],
  );
  await sql.run(`INSERT INTO queue_partitions (id, next_at, blocked) SELECT value, ?, false FROM json_each(?)`, [
    at,
    JSON.stringify(partitionIds),
  ]);
}

export const lease = (sql: Sql, owner: string, max: number, leaseMs = 30_000) =>
  leaseItems(sql, { now: Date.now(), owner, leaseMs, max });

export const complete = (sql: Sql, items: LeasedItem[], owner: string) =>
  sql.tx(async (tx) => {
    for (const item of items) expect(await completeItem(tx, item, owner)).toBe(true);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Leasers that each lease up to `max`, hold every item for a moment and complete it, until the
 * queue stays empty. Answers every claimed id; checks slot limits with an exact in-process count.
 */
export async function runLeasers(
  conns: Sql[],
  opts: { max: number; holdMs?: () => number; requeueOneIn?: number },
): Promise<{ ids: string[]; maxSeen: Map<string, number> }> {
  const ids: string[] = [];
  const retried = new Set<string>();
  const inFlight = new Map<string, number>();
  const maxSeen = new Map<string, number>();
  await Promise.all(
    conns.map(async (sql, n) => {
      const owner = `leaser-${n}`;
      let empty = 0;
      const holding: Promise<void>[] = [];
      while (empty < 5) {
        const items = await lease(sql, owner, opts.max);
        if (items.length === 0) {
          empty++;
          await sleep(5);
          continue;
        }
        empty = 0;
        for (const item of items) {
          ids.push(item.id);
          for (const key of item.slotKeys) {
            const now = (inFlight.get(key) ?? 0) + 1;
            inFlight.set(key, now);
            maxSeen.set(key, Math.max(maxSeen.get(key) ?? 0, now));
          }
          holding.push(
            (async () => {
              await sleep(opts.holdMs?.() ?? 0);
              // Counted free before the release commits: the count can only over-state use.
              for (const key of item.slotKeys) inFlight.set(key, (inFlight.get(key) ?? 0) - 1);
              if (opts.requeueOneIn && !retried.has(item.id) && Math.random() * opts.requeueOneIn < 1) {
                // A retry: back to the queue (partition, then slots), to be leased again.
                retried.add(item.id);
                ids.splice(ids.lastIndexOf(item.id), 1);
                await sql.tx(async (tx) =>
                  expect(await requeueItem(tx, item, owner, { availableAt: Date.now(), attempt: item.attempt + 1 })).toBe(true),
                );
              } else await complete(sql, [item], owner);
            })(),
          );
        }
      }
      await Promise.all(holding);
    }),
  );
  return { ids, maxSeen };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export function defineLeaseSuite(dialect: Dialect, skip: boolean, concurrentConnections: (t: TestSql) => Sql[]): void {
  describe.skipIf(skip)(`leasing on ${dialect}`, () => {
    let t: TestSql;
    beforeAll(async () => {
      t = await createTestSql(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("claims each item once, oldest first within a partition", async () => {
      const p = partition("order");
      const ids = await fill(t.sql, p, 5);
      const first = await lease(t.sql, "a", 3);
      expect(first.map((i) => i.id)).toEqual(ids.slice(0, 3));
      expect(first.every((i) => i.partitionId === "order")).toBe(true);
      const second = await lease(t.sql, "b", 10);
      expect(second.map((i) => i.id)).toEqual(ids.slice(3));
      expect(await lease(t.sql, "c", 10)).toEqual([]);
      // Only the owner can complete: another process's completion is refused.
      await t.sql.tx(async (tx) => expect(await completeItem(tx, first[0] as LeasedItem, "b")).toBe(false));
      await complete(t.sql, first, "a");
      await complete(t.sql, second, "b");
    });

    it("does not lease items before they are due", async () => {
      const p = partition("later");
      await t.sql.tx((tx) =>
        enqueue(tx, [{ id: "later/1", kind: "exec", payload: {}, availableAt: Date.now() + 60_000, partition: p }]),
      );
      expect(await lease(t.sql, "a", 10)).toEqual([]);
      await t.sql.run(`DELETE FROM queue_items WHERE id = 'later/1'`);
    });

    it("concurrent leasers never claim one item twice", async () => {
      const parts = ["c1", "c2", "c3", "c4", "c5", "c6"].map((id) => partition(id));
      const expected: string[] = [];
      for (const p of parts) expected.push(...(await fill(t.sql, p, 100)));
      const { ids } = await runLeasers(concurrentConnections(t), { max: 7 });
      expect(ids.length).toBe(expected.length);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set(expected));
    });

    it("never exceeds a concurrency limit, also one shared by two partitions", async () => {
      const own = partition("slots-own", [{ key: "slot:own", limit: 3 }]);
      const shared = { key: "slot:shared", limit: 2 };
      const a = partition("slots-a", [shared]);
      const b = partition("slots-b", [shared, { key: "slot:b-only", limit: 5 }]);
      const expected = [...(await fill(t.sql, own, 40)), ...(await fill(t.sql, a, 25)), ...(await fill(t.sql, b, 25))];
      const deadlocks = () =>
        t.sql.dialect === "postgres"
          ? t.sql
              .get<{ n: number }>(`SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()`)
              .then((r) => Number(r?.n))
          : Promise.resolve(0);
      const deadlocksBefore = await deadlocks();
      const { ids, maxSeen } = await runLeasers(concurrentConnections(t), {
        max: 10,
        holdMs: () => 2 + Math.random() * 8,
        requeueOneIn: 4,
      });
      expect(new Set(ids)).toEqual(new Set(expected));
      expect(ids.length).toBe(expected.length);
      expect(maxSeen.get("slot:own")).toBeLessThanOrEqual(3);
      expect(maxSeen.get("slot:shared")).toBeLessThanOrEqual(2);
      // The limits were reached (the test would prove nothing if work never overlapped).
      expect(maxSeen.get("slot:own")).toBe(3);
      expect(maxSeen.get("slot:shared")).toBe(2);
      const slots = await t.sql.all<{ key: string; in_flight: number }>(
        `SELECT key, in_flight FROM concurrency_slots WHERE key LIKE 'slot:%'`,
      );
      for (const s of slots) expect(Number(s.in_flight)).toBe(0);
      // Leasing, retrying and completing at once never deadlocked (PostgreSQL counts them).
      await sleep(600); // statistics reach pg_stat_database asynchronously
      expect(await deadlocks()).toBe(deadlocksBefore);
    });

    it("parks a partition whose slot is full and wakes it when the slot frees", async () => {
      const p = partition("park", [{ key: "slot:park", limit: 1 }]);
      const [id1, id2] = await fill(t.sql, p, 2);
      const first = await lease(t.sql, "a", 10);
      expect(first.map((i) => i.id)).toEqual([id1]);
      const parked = await t.sql.get<{ blocked: unknown; blocked_on: string }>(
        `SELECT blocked, blocked_on FROM queue_partitions WHERE id = 'park'`,
      );
      expect([true, 1]).toContain(parked?.blocked);
      expect(parked?.blocked_on).toBe("slot:park");
      expect(await lease(t.sql, "a", 10)).toEqual([]);

      await complete(t.sql, first, "a");
      const woken = await t.sql.get<{ blocked: unknown }>(`SELECT blocked FROM queue_partitions WHERE id = 'park'`);
      expect([false, 0]).toContain(woken?.blocked);
      const second = await lease(t.sql, "b", 10);
      expect(second.map((i) => i.id)).toEqual([id2]);
      await complete(t.sql, second, "b");
    });

    it("reclaims expired leases: the work, its slot and its partition come back", async () => {
      const p = partition("expire", [{ key: "slot:expire", limit: 1 }]);
      const [id] = await fill(t.sql, p, 1);
      const taken = await lease(t.sql, "dead-process", 10, 400);
      expect(taken.map((i) => i.id)).toEqual([id]);
      expect(await reclaimExpired(t.sql, Date.now())).toBe(0); // not expired yet
      await sleep(450);
      expect(await reclaimExpired(t.sql, Date.now())).toBe(1);
      const again = await lease(t.sql, "live-process", 10);
      expect(again.map((i) => i.id)).toEqual([id]);
      // The dead owner's late completion does nothing; the new owner's counts.
      await t.sql.tx(async (tx) => expect(await completeItem(tx, taken[0] as LeasedItem, "dead-process")).toBe(false));
      await complete(t.sql, again, "live-process");
      const slot = await t.sql.get<{ in_flight: number }>(`SELECT in_flight FROM concurrency_slots WHERE key = 'slot:expire'`);
      expect(Number(slot?.in_flight)).toBe(0);
    });

    it("serves partitions fairly: a flood of 1,000 does not starve a single item", async () => {
      const flood = partition("flood");
      await fill(t.sql, flood, 1000, 5000);
      const single = partition("single");
      const [lone] = await fill(t.sql, single, 1, 10);
      const first = await lease(t.sql, "a", 10);
      expect(first.map((i) => i.id)).toContain(lone);
      await complete(t.sql, first, "a");

      // Twenty flooded partitions, older than one single item, and leases smaller than the
      // number of due partitions: round-robin still reaches the single item within a few leases.
      const floods = Array.from({ length: 20 }, (_, i) => partition(`flood-${i}`));
      for (const f of floods) await fill(t.sql, f, 50, 5000);
      const [late] = await fill(t.sql, partition("late-single"), 1, 10);
      let reachedAt = -1;
      for (let round = 0; round < 6 && reachedAt < 0; round++) {
        const items = await lease(t.sql, "a", 5);
        if (items.some((i) => i.id === late)) reachedAt = round;
        await complete(t.sql, items, "a");
      }
      expect(reachedAt).toBeGreaterThanOrEqual(0);
      expect(reachedAt).toBeLessThanOrEqual(5);
      await t.sql.run(`DELETE FROM queue_items`);
      await t.sql.run(`DELETE FROM queue_partitions`);
    });

    it("lease cost does not grow with the backlog (1k vs 100k waiting items)", async () => {
      // Two databases, one with a small and one with a large backlog, leased from alternately so
      // that the machine's load (it is shared) weighs on both sides alike.
      const other = await createTestSql(dialect);
      try {
        const LEASE = 20;
        const ROUNDS = 25;
        const measure = async (partitions: number, small: number, large: number) => {
          const at = Date.now() - 1000;
          const sides = [
            { sql: t.sql, waiting: small, times: [] as number[] },
            { sql: other.sql, waiting: large, times: [] as number[] },
          ];
          for (const side of sides) {
            await side.sql.run(`DELETE FROM queue_items`);
            await side.sql.run(`DELETE FROM queue_partitions`);
            const ids = Array.from({ length: partitions }, (_, i) => `cost-${i}`);
            await bulkFill(side.sql, ids, side.waiting / partitions, at);
          }
          for (let round = 0; round < ROUNDS; round++)
            for (const side of sides) {
              const start = performance.now();
              const items = await lease(side.sql, "bench", LEASE);
              side.times.push(performance.now() - start);
              expect(items.length).toBe(LEASE);
              await complete(side.sql, items, "bench");
            }
          return sides.map((side) => median(side.times)) as [number, number];
        };
        const one = await measure(1, 1_000, 100_000);
        const spread = await measure(100, 1_000, 100_000);
        const wide = await measure(1000, 10_000, 100_000);
        const f = (n: number) => `${n.toFixed(2)} ms`;
        console.log(
          `[lease cost, ${dialect}] one lease of ${LEASE} items, median of ${ROUNDS}, small and large backlog leased alternately:\n` +
            `  all in 1 partition:          1k waiting ${f(one[0])}, 100k waiting ${f(one[1])}\n` +
            `  over 100 partitions:         1k waiting ${f(spread[0])}, 100k waiting ${f(spread[1])}\n` +
            `  over 1,000 partitions:      10k waiting ${f(wide[0])}, 100k waiting ${f(wide[1])}`,
        );
        // Generous (shared machine); scanning the backlog would cost ~100× more.
        for (const [small, large] of [one, spread, wide]) expect(large).toBeLessThan(small * 3 + 3);
      } finally {
        await other.close();
      }
      await t.sql.run(`DELETE FROM queue_items`);
    }, 180_000);
  });
}
