import { z } from "zod";

import { AppError } from "@/lib/errors";
import { parseWith } from "@/lib/http/responses";
import { inUnit, type EngineContext } from "@/lib/state/context";
import { resumeSignal } from "@/lib/state/pauses";

/**
 * `POST /v1/signals` (reference §7.3), what `inngest.sendSignal` and `step.sendSignal` call:
 * the run waiting in step.waitForSignal resumes with `{signal, data}`. The SDK reads a 404 as
 * "no run was waiting", so that answer is part of the contract, not a failure.
 */
const signalSchema = z.object({
  signal: z.string({ error: "signal is required (a string)" }).min(1, "signal must not be empty"),
  data: z.unknown().optional(),
});

export async function sendSignal(ctx: EngineContext, body: unknown): Promise<{ run_id: string }> {
  const input = parseWith(signalSchema, body);
  const runId = await inUnit(ctx, (u) => resumeSignal(u, input.signal, input.data));
  if (!runId) throw new AppError("not_found", `no run is waiting for signal ${JSON.stringify(input.signal)}`, "signal");
  return { run_id: runId };
}
