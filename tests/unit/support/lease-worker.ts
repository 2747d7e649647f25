// A separate process leasing from an SQLite file until it stays empty; prints the ids it claimed.
// It says "ready" once the database is open and starts when told "go" on stdin, so processes
// that start at different speeds still lease at the same time.
import { createInterface } from "node:readline";

import { SqliteSql } from "@/lib/db/sqlite";
import { leaseItems } from "@/lib/queue/lease";
import { completeItem } from "@/lib/queue/queue";

const [file, owner] = process.argv.slice(2) as [string, string];
const sql = SqliteSql.open(file);
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.once("line", () => resolve()));
process.stdout.write("ready\n");
await go;
lines.close();

const ids: string[] = [];
let empty = 0;
while (empty < 20) {
  const items = await leaseItems(sql, { now: Date.now(), owner, leaseMs: 30_000, max: 5 });
  if (items.length === 0) {
    empty++;
    await new Promise((r) => setTimeout(r, 5));
    continue;
  }
  empty = 0;
  ids.push(...items.map((i) => i.id));
  // Hold the items a moment so the processes' leases overlap in time.
  await new Promise((r) => setTimeout(r, 2));
  await sql.tx(async (tx) => {
    for (const item of items) if (!(await completeItem(tx, item, owner))) throw new Error(`lost ${item.id}`);
  });
}
await sql.close();
process.stdout.write(`${JSON.stringify(ids)}\n`);
