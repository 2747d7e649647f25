import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Dialect, Sql } from "@/lib/db/sql";
import { completeItem, deleteWaitingItems, purgeIdlePartitions } from "@/lib/queue/queue";
import type { LeasedItem } from "@/lib/queue/types";

import { complete, fill, lease, partition } from "./lease-suite";
import { createTestSql, type TestSql } from "./test-sql";

/**
 * Parking and waking partitions behind a concurrency slot shared by many keys (a function-wide
 * limit over per-user queues, or an account-scoped key): a release wakes a bounded number of
 * parked partitions, new work un-parks its partition, and a wake-up that finds nothing (its
 * work was cancelled) is passed on, so no queue is ever stranded behind a free slot.
 */
const blocked = async (sql: Sql, slot: string) =>
  Number(
    (
      await sql.get<{ n: number }>(`SELECT count(*) AS n FROM queue_partitions WHERE blocked = ? AND blocked_on = ?`, [
        true,
        slot,
      ])
    )?.n,
  );

export function defineParkingSuite(dialect: Dialect, skip: boolean): void {
  describe.skipIf(skip)(`parking behind a shared slot on ${dialect}`, () => {
    let t: TestSql;
    beforeAll(async () => {
      t = await createTestSql(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("a release wakes at most two of 50 parked queues; every queue is still served in turn", async () => {
      const shared = { key: "slot:fn-wide", limit: 1 };
      const parts = Array.from({ length: 50 }, (_, i) => partition(`user-${i}`, [shared, { key: `slot:user-${i}`, limit: 1 }]));
      for (const p of parts) await fill(t.sql, p, 1);
      const first = await lease(t.sql, "a", 100);
      expect(first).toHaveLength(1);
      // The other 49 queues were visited and parked on the full shared slot.
      expect(await blocked(t.sql, shared.key)).toBe(49);

      const served = new Set(first.map((i) => i.partitionId));
      let current = first;
      for (let round = 0; round < 60 && served.size < 50; round++) {
        await complete(t.sql, current, "a");
        // One release: at most two parked queues woken, not 49 (the cost is not per waiting key).
        expect(await blocked(t.sql, shared.key)).toBeGreaterThanOrEqual(Math.max(0, 50 - served.size - 2));
        current = await lease(t.sql, "a", 100);
        expect(current.length).toBeLessThanOrEqual(1);
        for (const i of current) served.add(i.partitionId);
      }
      await complete(t.sql, current, "a");
      expect(served.size).toBe(50);
    });

    it("new work leaves a queue parked while its slot is full, and un-parks it once the slot has room", async () => {
      const shared = { key: "slot:unpark", limit: 1 };
      const a = partition("unpark-a", [shared]);
      const b = partition("unpark-b", [shared]);
      await fill(t.sql, a, 1);
      await fill(t.sql, b, 1);
      const held = await lease(t.sql, "a", 10);
      expect(held).toHaveLength(1);
      const other = held[0]?.partitionId === "unpark-a" ? b : a;
      expect(await blocked(t.sql, shared.key)).toBe(1);
      // Still full: more work does not un-park it (a steady stream costs no partition writes).
      await fill(t.sql, other, 1);
      expect(await blocked(t.sql, shared.key)).toBe(1);
      expect(await lease(t.sql, "a", 10)).toEqual([]);
      // A wake-up that never came (the slot freed without waking anyone): the next work un-parks.
      await t.sql.run(`UPDATE concurrency_slots SET in_flight = 0 WHERE key = ?`, [shared.key]);
      await fill(t.sql, other, 1);
      expect(await blocked(t.sql, shared.key)).toBe(0);
      const next = await lease(t.sql, "a", 10);
      expect(next.map((i) => i.partitionId)).toEqual([other.id]);
      await t.sql.run(`UPDATE concurrency_slots SET in_flight = 1 WHERE key = ?`, [shared.key]);
      await complete(t.sql, [...held, ...next], "a");
      await t.sql.run(`DELETE FROM queue_items`);
    });

    it("idle partitions are purged; ones with queued or leased work are kept", async () => {
      await t.sql.run(`DELETE FROM queue_items`);
      await t.sql.run(`DELETE FROM queue_partitions`);
      const idle = partition("idle", [{ key: "slot:idle", limit: 1 }]);
      const busy = partition("busy", [{ key: "slot:busy", limit: 1 }]);
      const waiting = partition("waiting", [{ key: "slot:busy", limit: 1 }]);
      await fill(t.sql, idle, 1);
      await fill(t.sql, busy, 1);
      const leased = await lease(t.sql, "a", 10);
      await complete(
        t.sql,
        leased.filter((i) => i.partitionId === "idle"),
        "a",
      );
      await fill(t.sql, waiting, 1); // parked behind busy's slot
      await lease(t.sql, "a", 10);
      // idle: empty; busy: its item is leased; waiting: parked with an item.
      expect(await purgeIdlePartitions(t.sql)).toBe(1);
      const left = await t.sql.all<{ id: string }>(`SELECT id FROM queue_partitions ORDER BY id`);
      expect(left.map((r) => r.id)).toEqual(["busy", "waiting"]);
      // Work for a purged partition creates it again.
      const [again] = await fill(t.sql, idle, 1);
      const items = await lease(t.sql, "a", 10);
      expect(items.map((i) => i.id)).toContain(again);
      await complete(t.sql, [...leased.filter((i) => i.partitionId === "busy"), ...items], "a");
      await t.sql.run(`DELETE FROM queue_items`);
    });

    // Only PostgreSQL has concurrent writers to wait on (SQLite has one writer).
    if (dialect === "postgres")
      it("a lease never waits for a slot another transaction holds", async () => {
        const p = partition("held", [{ key: "slot:held", limit: 5 }]);
        const free = partition("free");
        await fill(t.sql, p, 2);
        const [freeId] = await fill(t.sql, free, 1);
        const other = t.open(1);
        let release!: () => void;
        const holding = new Promise<void>((r) => (release = r));
        let locked!: () => void;
        const isLocked = new Promise<void>((r) => (locked = r));
        // A completion releasing this slot, mid-transaction.
        const tx = other.tx(async (tx) => {
          await tx.run(`UPDATE concurrency_slots SET in_flight = in_flight WHERE key = 'slot:held'`);
          locked();
          await holding;
        });
        await isLocked;
        const started = performance.now();
        const items = await lease(t.sql, "a", 10);
        expect(performance.now() - started).toBeLessThan(1000);
        // The other queue was served; the held one left as it was, still due.
        expect(items.map((i) => i.id)).toEqual([freeId]);
        release();
        await tx;
        const next = await lease(t.sql, "a", 10);
        expect(next.map((i) => i.partitionId)).toEqual(["held", "held"]);
        await complete(t.sql, [...items, ...next], "a");
      });

    it("a woken queue whose work was cancelled passes the wake-up on", async () => {
      const shared = { key: "slot:cancelled", limit: 1 };
      const parts = ["c-0", "c-1", "c-2", "c-3"].map((id) => partition(id, [shared]));
      const ids: string[][] = [];
      for (const p of parts) ids.push(await fill(t.sql, p, 1, 2000 - ids.length * 100));
      const held = await lease(t.sql, "a", 10);
      expect(held.map((i) => i.partitionId)).toEqual(["c-0"]);
      expect(await blocked(t.sql, shared.key)).toBe(3);
      // The two queues waiting longest lose their work (their runs were cancelled).
      await t.sql.tx(async (tx) => {
        await deleteWaitingItems(tx, { id: ids[1]?.[0] });
        await deleteWaitingItems(tx, { id: ids[2]?.[0] });
      });
      await t.sql.tx(async (tx) => expect(await completeItem(tx, held[0] as LeasedItem, "a")).toBe(true));
      // The release woke c-1 and c-2, both empty; leasing them passes the wake-up to c-3.
      expect(await lease(t.sql, "a", 10)).toEqual([]);
      const last = await lease(t.sql, "a", 10);
      expect(last.map((i) => i.partitionId)).toEqual(["c-3"]);
      await complete(t.sql, last, "a");
    });
  });
}
