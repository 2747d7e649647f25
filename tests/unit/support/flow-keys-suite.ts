import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Dialect } from "@/lib/db/sql";
import { deleteKey, lockKey, writeKey } from "@/lib/flow/flow-keys";

import { createTestSql, type TestSql } from "./test-sql";

/**
 * Keyed flow-control state under concurrent transactions: a decision that locks a key while
 * another transaction deletes it (a debounce timer firing as the next event arrives) must still
 * find a row to write, or the event it decided about is lost.
 */
export function defineFlowKeysSuite(dialect: Dialect, skip: boolean): void {
  describe.skipIf(skip)(`flow keys on ${dialect}`, () => {
    let t: TestSql;
    beforeAll(async () => {
      t = await createTestSql(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    // Only PostgreSQL has overlapping transactions: SQLite runs a process's transactions one
    // after another on its one connection (and another process's wait behind its write lock).
    if (dialect === "postgres")
      it("a key deleted by one transaction while another waits for it is written by the second", async () => {
        const other = t.open(2);
        await t.sql.tx(async (tx) => {
          await lockKey(tx, "debounce:k");
          await writeKey(tx, "debounce:k", { value: "first" });
        });

        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        let locked!: () => void;
        const isLocked = new Promise<void>((r) => (locked = r));
        const deleter = t.sql.tx(async (tx) => {
          expect((await lockKey(tx, "debounce:k")).value).toBe("first");
          locked();
          await held;
          await deleteKey(tx, "debounce:k");
        });
        await isLocked;
        const writer = other.tx(async (tx) => {
          const row = await lockKey(tx, "debounce:k");
          await writeKey(tx, "debounce:k", { value: row.value === null ? "second" : `stale ${row.value}` });
        });
        // Give the writer time to reach the key (and, on PostgreSQL, block on the deleter's lock).
        await new Promise((r) => setTimeout(r, 200));
        release();
        await Promise.all([deleter, writer]);

        const after = await t.sql.get<{ value: string | null }>(`SELECT value FROM flow_keys WHERE key = ?`, ["debounce:k"]);
        expect(after?.value).toBe("second");
      });

    it("locking keeps what is stored and creates the row, with its expiry, only once", async () => {
      const first = await t.sql.tx((tx) => lockKey(tx, "idem:a", 1234));
      expect(first).toMatchObject({ key: "idem:a", value: null, expires_at: 1234 });
      await t.sql.tx((tx) => writeKey(tx, "idem:a", { value: "kept", expiresAt: 5678 }));
      const again = await t.sql.tx((tx) => lockKey(tx, "idem:a", 9999));
      expect(again).toMatchObject({ value: "kept" });
      expect(Number(again.expires_at)).toBe(5678);
    });
  });
}
