import type { LeasedItem } from "@/lib/queue/types";
import type { Unit } from "@/lib/state/context";
import type { CallPayload } from "@/lib/state/runs";

/** How long a continued lease lasts before it must be renewed (the engine renews in-flight leases). */
export const CONTINUED_LEASE_MS = 30_000;

/**
 * Keeps a leased exec item for the run's next call instead of completing it and queueing a new
 * one: the payload becomes the next call and the lease starts again (a new `leased_at`, so a
 * checkpoint of the previous call can no longer claim it). The item stays in its partition and
 * keeps the slots it holds. Answers the item to run next, or null if the lease was lost.
 */
export async function continueLeased(u: Unit, item: LeasedItem, owner: string, payload: CallPayload): Promise<LeasedItem | null> {
  const leasedAt = Math.max(u.now, item.leasedAt + 1);
  const changed = await u.tx.run(
    `UPDATE queue_items SET payload = ?, attempt = 0, available_at = ?, leased_at = ?, leased_until = ?
     WHERE id = ? AND lease_owner = ? AND state = 1`,
    [JSON.stringify(payload), u.now, leasedAt, leasedAt + CONTINUED_LEASE_MS, item.id, owner],
  );
  if (changed === 0) return null;
  return { ...item, payload, attempt: 0, availableAt: u.now, leasedAt };
}
