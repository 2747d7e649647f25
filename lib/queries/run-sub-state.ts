import type { RunListItem, RunSubState } from "@/lib/contracts/runs";
import { parseJsonText } from "@/lib/db/json";
import type { PrismaDb, Step } from "@/lib/db/prisma";

import { isoTime } from "./dto";

/**
 * A Running run's sub-state: the open sleep, wait or invoke row it is held on. It is read from
 * the step rows the engine already keeps open (status Sleeping | Waiting | Invoking until they
 * resolve), so nothing extra is written on the hot path.
 */
export const OPEN_STATUSES = ["Sleeping", "Waiting", "Invoking"] as const;

type OpenStep = Pick<Step, "runId" | "seq" | "status" | "input" | "wakeAt">;

export function subStateOf(steps: readonly OpenStep[]): RunSubState | null {
  // The first open row in step order: parallel waits are rare, and a stable pick keeps the badge still.
  let first: OpenStep | undefined;
  for (const s of steps) if ((OPEN_STATUSES as readonly string[]).includes(s.status) && (!first || s.seq < first.seq)) first = s;
  if (!first) return null;
  const input = parseJsonText(first.input) as { event?: unknown; signal?: unknown; function_id?: unknown } | null;
  const waitingFor = typeof input?.signal === "string" ? `signal ${input.signal}` : input?.event;
  const target = first.status === "Waiting" ? waitingFor : first.status === "Invoking" ? input?.function_id : null;
  return {
    kind: first.status as RunSubState["kind"],
    target: typeof target === "string" ? target : null,
    until: isoTime(first.wakeAt),
  };
}

/** The sub-states of a page of runs: one query for its Running rows (by `steps(run_id, …)`). */
export async function withSubStates(prisma: PrismaDb, rows: RunListItem[]): Promise<RunListItem[]> {
  const running = rows.filter((r) => r.status === "Running").map((r) => r.id);
  if (running.length === 0) return rows;
  const open = await prisma.step.findMany({
    where: { runId: { in: running }, status: { in: [...OPEN_STATUSES] }, isMemo: false },
    select: { runId: true, seq: true, status: true, input: true, wakeAt: true },
  });
  if (open.length === 0) return rows;
  const byRun = new Map<string, OpenStep[]>();
  for (const s of open) {
    const list = byRun.get(s.runId);
    if (list) list.push(s);
    else byRun.set(s.runId, [s]);
  }
  return rows.map((r) => {
    const steps = byRun.get(r.id);
    return steps ? { ...r, subState: subStateOf(steps) } : r;
  });
}
