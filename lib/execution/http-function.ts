import { sign } from "@/lib/auth/signing";
import { eventPayload, type StoredEvent } from "@/lib/events/event-schema";
import { type CallError, httpCall } from "@/lib/http/client";
import { completeItem, holdsLease, requeueItem } from "@/lib/queue/queue";
import type { LeasedItem } from "@/lib/queue/types";
import { maxAttempts } from "@/lib/registry/function-config";
import type { RegisteredFunction } from "@/lib/registry/registry";
import type { Unit } from "@/lib/state/context";
import { finishRun, type RunRecord, type SerializedError } from "@/lib/state/runs";
import { insertStep } from "@/lib/state/steps";

import { retryAfterTime, retryDelay } from "./backoff";
import { toSerializedError } from "./sdk-protocol";

/**
 * Plain HTTP functions (registered over REST): one POST per attempt with
 * `{event, events, run_id, function_id, attempt}`; a 2xx answer is the run's output. Network
 * errors, timeouts, 5xx, 408 and 429 are retried with backoff; other 4xx fail at once.
 */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

export type HttpCallResult =
  { ok: true; output: unknown } | { ok: false; error: SerializedError; retriable: boolean; retryAfter?: string };

export async function callHttpFunction(
  fn: RegisteredFunction,
  run: RunRecord,
  events: StoredEvent[],
  attempt: number,
  signingKey?: string,
): Promise<HttpCallResult> {
  const first = events[0];
  const body = JSON.stringify({
    event: first ? eventPayload(first) : {},
    events: events.map(eventPayload),
    run_id: run.id,
    function_id: fn.id,
    attempt,
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-stepwise-run-id": run.id,
    "x-stepwise-attempt": String(attempt),
  };
  if (signingKey) headers["x-inngest-signature"] = sign(body, signingKey);
  try {
    const res = await httpCall("POST", fn.url, { body, headers, timeoutMs: fn.config.timeout ?? DEFAULT_HTTP_TIMEOUT_MS });
    let parsed: unknown = res.body;
    try {
      parsed = res.body === "" ? null : JSON.parse(res.body);
    } catch {
      // a non-JSON answer is kept as text
    }
    if (res.status >= 200 && res.status < 300) return { ok: true, output: parsed };
    const error = { ...toSerializedError(parsed, res.status), name: "HTTPError", status: res.status };
    error.message = `HTTP ${res.status}: ${error.message}`;
    const retriable = res.status >= 500 || res.status === 408 || res.status === 429;
    return { ok: false, error, retriable, retryAfter: res.headers["retry-after"] };
  } catch (error) {
    const e = error as CallError;
    return {
      ok: false,
      error: { name: e.kind === "timeout" ? "TimeoutError" : "NetworkError", message: e.message },
      retriable: true,
    };
  }
}

export async function applyHttpResult(
  u: Unit,
  c: { run: RunRecord; fn: RegisteredFunction; item: LeasedItem; owner: string; startedAt: number; events?: StoredEvent[] },
  result: HttpCallResult,
): Promise<void> {
  const { run, fn, item } = c;
  if (!(await holdsLease(u.tx, item, c.owner))) return;
  const final = result.ok || !result.retriable || item.attempt + 1 >= maxAttempts(fn.config);
  await insertStep(u, {
    runId: run.id,
    hashedId: "call",
    name: "call",
    displayName: `POST ${new URL(fn.url).pathname}`,
    op: "Call",
    status: result.ok ? "Completed" : final ? "Failed" : "Errored",
    attempt: item.attempt,
    output: result.ok ? result.output : undefined,
    error: result.ok ? undefined : result.error,
    startedAt: c.startedAt,
    endedAt: u.now,
  });
  if (result.ok) {
    await finishRun(u, run, { status: "Completed", output: result.output }, c.events);
  } else if (final) {
    await finishRun(u, run, { status: "Failed", error: result.error }, c.events);
  } else {
    const at = retryAfterTime(result.retryAfter, u.now) ?? u.now + retryDelay(item.attempt, u.ctx.options.retryBaseMs);
    await requeueItem(u.tx, item, c.owner, { availableAt: at, attempt: item.attempt + 1 });
    return;
  }
  await completeItem(u.tx, item, c.owner);
}
