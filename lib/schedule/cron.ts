import { chunk, placeholders, type Sql } from "@/lib/db/sql";
import { INTERNAL } from "@/lib/events/event-schema";
import { createRunWithStartRules } from "@/lib/flow/schedule-run";
import { recordEvents } from "@/lib/ingest/ingest";
import { enqueue } from "@/lib/queue/queue";
import { systemPartition, type NewItem } from "@/lib/queue/types";
import { cronFor, isEventTrigger } from "@/lib/registry/function-config";
import type { FunctionRegistry, RegisteredFunction } from "@/lib/registry/registry";
import type { Unit } from "@/lib/state/context";
import { shortHash } from "@/lib/state/run-start";

/**
 * Cron triggers. Each (function, cron) has exactly one waiting queue item for its next slot,
 * with a deterministic id; firing it creates the run (with `dedupe_key` = the slot, unique) and
 * the next slot's item in one unit. A restart, a second process or a re-sync therefore never
 * yields two runs for one slot.
 */
const itemPrefix = (fnId: string, cron: string) => `cron:${fnId}:${shortHash(cron)}:`;

export function nextSlot(cron: string, after: number): number | null {
  const job = cronFor(cron);
  const next = job.nextRun(new Date(after));
  job.stop();
  return next ? next.getTime() : null;
}

function slotItem(fn: RegisteredFunction, cron: string, slot: number): NewItem {
  return {
    id: `${itemPrefix(fn.id, cron)}${slot}`,
    kind: "cron",
    functionId: fn.id,
    payload: { functionId: fn.id, cron, slot },
    availableAt: slot,
    partition: systemPartition(fn.id),
  };
}

function cronsOf(fn: RegisteredFunction): string[] {
  return fn.paused ? [] : fn.triggers.flatMap((t) => (isEventTrigger(t) ? [] : [t.cron]));
}

/** Makes the waiting cron items match the registry: one per current cron, none for removed ones. */
export async function syncCronSchedules(sql: Sql, registry: FunctionRegistry, now = Date.now()): Promise<void> {
  await sql.tx(async (tx) => {
    const wanted = new Map<string, NewItem>();
    for (const fn of registry.all)
      for (const cron of cronsOf(fn)) {
        const slot = nextSlot(cron, now);
        if (slot !== null) wanted.set(itemPrefix(fn.id, cron), slotItem(fn, cron, slot));
      }
    // Cron items live in their function's system partition: an index lookup per function, not
    // a scan of every waiting item. (A deleted function's leftover item finds no function when
    // it fires and ends there.)
    const partitions = registry.all.map((fn) => systemPartition(fn.id).id);
    const existing: { id: string; state: number }[] = [];
    for (const part of chunk(partitions, 500))
      existing.push(
        ...(await tx.all<{ id: string; state: number }>(
          `SELECT id, state FROM queue_items WHERE partition_id IN (${placeholders(part.length)}) AND kind = 'cron'`,
          part,
        )),
      );
    for (const { id, state } of existing) {
      const prefix = id.slice(0, id.lastIndexOf(":") + 1);
      // A slot already leased (firing right now) also counts as scheduled.
      if (wanted.has(prefix)) wanted.delete(prefix);
      else if (Number(state) === 0) await tx.run(`DELETE FROM queue_items WHERE id = ? AND state = 0`, [id]);
    }
    await enqueue(tx, [...wanted.values()]);
  });
}

export async function fireCronSlot(u: Unit, slot: { functionId: string; cron: string; slot: number }): Promise<void> {
  const fn = u.ctx.registry.get(slot.functionId);
  if (!fn || !cronsOf(fn).includes(slot.cron)) return;
  const dedupeKey = `${itemPrefix(fn.id, slot.cron)}${slot.slot}`;
  // Fired before (this item was reclaimed after a crash that happened after the commit): the
  // slot has its run and its successor; record nothing twice.
  if (await u.tx.get(`SELECT 1 AS one FROM runs WHERE dedupe_key = ?`, [dedupeKey])) return;
  // The event's ts is the slot it stands for, so a late firing (after a restart) still says which slot it is.
  const { stored } = await recordEvents(u, [{ name: INTERNAL.cron, data: { cron: slot.cron }, ts: slot.slot }]);
  await createRunWithStartRules(u, fn, stored, {
    trigger: "cron",
    cron: slot.cron,
    dedupeKey,
  });
  const next = nextSlot(slot.cron, Math.max(u.now, slot.slot));
  if (next !== null) await enqueue(u.tx, [slotItem(fn, slot.cron, next)]);
}
