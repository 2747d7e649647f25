import { celEvent, evaluateBool } from "@/lib/cel/expressions";
import { INTERNAL, type StoredEvent } from "@/lib/events/event-schema";
import { createRunWithStartRules, RunBatch, scheduleRun } from "@/lib/flow/schedule-run";
import { logger } from "@/lib/logger";
import type { Unit } from "@/lib/state/context";

/**
 * Fans each stored event out to every function whose trigger matches it — exact name, a
 * `prefix*` wildcard, and the trigger's CEL expression — one run per function per event.
 * `inngest/function.invoked` events go straight to the function they name (step.invoke).
 * Runs that need no one-by-one decision are created together once every event is routed.
 */
export async function routeEvents(u: Unit, events: readonly StoredEvent[]): Promise<void> {
  const registry = u.ctx.registry;
  const batch = new RunBatch(u);
  for (const event of events) {
    if (event.name === INTERNAL.invoked) {
      await routeInvocation(u, event, batch);
      continue;
    }
    const entries = registry.match(event.name);
    if (entries.length === 0) continue;
    const started = new Set<string>();
    let celContext: Record<string, unknown> | undefined;
    for (const { fn, program } of entries) {
      if (started.has(fn.id)) continue;
      if (program) {
        celContext ??= { event: celEvent(event) };
        if (!evaluateBool(program, celContext)) continue;
      }
      started.add(fn.id);
      // A paused function keeps its events but starts nothing.
      if (fn.paused) continue;
      await scheduleRun(u, fn, event, batch);
    }
  }
  await batch.flush();
}

interface InvokeMeta {
  fn_id?: string;
  correlation_id?: string;
  source_run_id?: string;
  source_step_id?: string;
}

async function routeInvocation(u: Unit, event: StoredEvent, batch: RunBatch): Promise<void> {
  const meta = (event.data._inngest ?? {}) as InvokeMeta;
  const fn = meta.fn_id ? u.ctx.registry.get(meta.fn_id) : undefined;
  if (!fn) {
    logger.warn({ fnId: meta.fn_id, eventId: event.id }, "step.invoke names a function that does not exist");
    return;
  }
  await createRunWithStartRules(
    u,
    fn,
    [event],
    {
      trigger: "invoke",
      invocation:
        meta.correlation_id && meta.source_run_id
          ? { parentRunId: meta.source_run_id, correlationId: meta.correlation_id, stepId: meta.source_step_id ?? "" }
          : null,
    },
    batch,
  );
}
