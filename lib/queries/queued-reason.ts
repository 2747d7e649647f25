import type { PrismaDb, Run } from "@/lib/db/prisma";
import type { PartitionSpec } from "@/lib/queue/types";

/**
 * Why a queued run has not started, as users read it: a full concurrency slot is worked out
 * when asked (the slot's count against its limit), because waiting for a slot is not a
 * decision anyone writes down; delays decided at start (throttle, priority, debounce, batch)
 * are stored on the run and follow.
 */
export async function queuedReasons(
  prisma: PrismaDb,
  runs: readonly Pick<Run, "id" | "status" | "statusReason" | "partition">[],
): Promise<Map<string, string>> {
  const queued = runs.filter((r) => r.status === "Queued" && r.partition);
  const out = new Map<string, string>();
  if (queued.length === 0) return out;
  const slotsOf = new Map<string, PartitionSpec["slots"]>();
  const keys = new Set<string>();
  for (const run of queued) {
    const slots = (JSON.parse(run.partition as string) as PartitionSpec).slots ?? [];
    slotsOf.set(run.id, slots);
    for (const s of slots) keys.add(s.key);
  }
  if (keys.size === 0) return out;
  const rows = await prisma.concurrencySlot.findMany({ where: { key: { in: [...keys] } } });
  const inFlight = new Map(rows.map((r) => [r.key, r.inFlight]));
  for (const run of queued) {
    const full = (slotsOf.get(run.id) ?? []).find((s) => (inFlight.get(s.key) ?? 0) >= s.limit);
    if (!full) continue;
    const reason = `concurrency: waiting for a free slot (${describeSlot(full.key)}limit ${full.limit})`;
    out.set(run.id, run.statusReason ? `${reason}; ${run.statusReason}` : reason);
  }
  return out;
}

/** Slot keys are `c:fn:<function>[:<key hash>]` or `c:<env|account>:<key hash>` (run-start.ts). */
function describeSlot(key: string): string {
  const [, scope, ...rest] = key.split(":");
  if (scope === "fn") return rest.length > 1 ? "per key, " : "";
  return `${scope ?? ""} scope, `;
}
