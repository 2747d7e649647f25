import type { Sql } from "@/lib/db/sql";
import { type CallError, httpCall } from "@/lib/http/client";
import type { RunRecord, SerializedError } from "@/lib/state/runs";
import { hasMemo } from "@/lib/state/steps";

import type { SdkOp } from "./sdk-protocol";

/**
 * Requests the server makes for a run (protocol reference §6.2): `step.fetch` (op Gateway) and
 * `step.ai.infer` (op AIGateway). They run between the SDK's answer and the unit that applies
 * it, so no transaction stays open across a slow third-party host; sdk-apply.ts records the
 * outcomes. The AI provider's key lives only in memory: the recorded input says "[redacted]"
 * wherever the key appeared (the auth_key option, a Gemini URL's `key=`, an Azure header).
 */
export const GATEWAY_OPS = new Set(["Gateway", "AIGateway"]);

/** Larger answers fail the step instead of being memoized (each is sent back on every call). */
export const GATEWAY_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
export const GATEWAY_TIMEOUT_MS = 5 * 60_000;
export const REDACTED = "[redacted]";

export type GatewayOutcome = {
  /** what the step row shows as its input (secrets redacted) */
  input: unknown;
  startedAt: number;
  endedAt: number;
} & ({ ok: true; data: unknown } | { ok: false; error: SerializedError; retriable: boolean });

/** Performs the run's new gateway requests concurrently; keyed by hashed step id. */
export async function performGatewayOps(sql: Sql, run: RunRecord, ops: readonly SdkOp[]): Promise<Map<string, GatewayOutcome>> {
  const out = new Map<string, GatewayOutcome>();
  const todo: SdkOp[] = [];
  for (const op of ops) {
    if (!GATEWAY_OPS.has(op.op) || run.pendingSteps.includes(op.id)) continue;
    // an SDK re-reporting a step already memoized (a repeated call) must not repeat the request
    if (await hasMemo(sql, run.id, op.id)) continue;
    todo.push(op);
  }
  await Promise.all(
    todo.map(async (op) => out.set(op.id, op.op === "AIGateway" ? await inferRequest(op) : await fetchRequest(op))),
  );
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function headerRecord(v: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (v && typeof v === "object" && !Array.isArray(v))
    for (const [k, value] of Object.entries(v)) if (typeof value === "string") headers[k.toLowerCase()] = value;
  return headers;
}

async function fetchRequest(op: SdkOp): Promise<GatewayOutcome> {
  const opts = op.opts ?? {};
  const url = str(opts.url) ?? "";
  const method = (str(opts.method) ?? "GET").toUpperCase();
  const headers = headerRecord(opts.headers);
  const body = opts.body === undefined || opts.body === null ? undefined : (str(opts.body) ?? JSON.stringify(opts.body));
  const input = { url, method, headers, body: body ?? null };
  const startedAt = Date.now();
  const invalid = checkUrl(url, "step.fetch");
  if (invalid) return { input, startedAt, endedAt: Date.now(), ok: false, error: invalid, retriable: false };
  try {
    const res = await httpCall(method, url, {
      headers,
      body: method === "GET" || method === "HEAD" ? undefined : body,
      timeoutMs: GATEWAY_TIMEOUT_MS,
      maxBytes: GATEWAY_MAX_RESPONSE_BYTES,
      external: true,
    });
    return {
      input,
      startedAt,
      endedAt: Date.now(),
      ok: true,
      data: { url, headers: res.headers, body: res.body, status_code: res.status },
    };
  } catch (error) {
    return { input, startedAt, endedAt: Date.now(), ...callFailure("step.fetch", method, url, error as CallError) };
  }
}

async function inferRequest(op: SdkOp): Promise<GatewayOutcome> {
  const opts = op.opts ?? {};
  const url = str(opts.url) ?? "";
  const key = str(opts.auth_key) ?? "";
  const format = str(opts.format) ?? "openai-chat";
  const headers = { ...headerRecord(opts.headers), ...authHeaders(format, key, headerRecord(opts.headers)) };
  headers["content-type"] ??= "application/json";
  const input = redact({ ...opts, auth_key: key ? REDACTED : "" }, key);
  const startedAt = Date.now();
  const fail = (error: SerializedError, retriable: boolean): GatewayOutcome => ({
    input,
    startedAt,
    endedAt: Date.now(),
    ok: false,
    error: redact(error, key),
    retriable,
  });
  const invalid = checkUrl(url, "step.ai.infer");
  if (invalid) return fail(invalid, false);
  let res;
  try {
    res = await httpCall("POST", url, {
      headers,
      body: JSON.stringify(opts.body ?? {}),
      timeoutMs: GATEWAY_TIMEOUT_MS,
      maxBytes: GATEWAY_MAX_RESPONSE_BYTES,
      external: true,
    });
  } catch (error) {
    const f = callFailure("step.ai.infer", "POST", redact(url, key), error as CallError);
    return fail(f.error, f.retriable);
  }
  const origin = new URL(url).origin;
  if (res.status < 200 || res.status >= 300) {
    // Rate limits and provider outages pass; a rejected request or key will not on a retry.
    const retriable = res.status >= 500 || res.status === 408 || res.status === 429;
    return fail(
      { name: "AIGatewayError", message: `step.ai.infer: ${origin} answered HTTP ${res.status}: ${res.body.slice(0, 1000)}` },
      retriable,
    );
  }
  try {
    return { input, startedAt, endedAt: Date.now(), ok: true, data: JSON.parse(res.body) as unknown };
  } catch {
    return fail({ name: "AIGatewayError", message: `step.ai.infer: ${origin} answered HTTP ${res.status} without JSON` }, false);
  }
}

/**
 * Where each provider format takes the key (the models in @inngest/ai): OpenAI-style APIs a
 * Bearer token, Anthropic `x-api-key`, Gemini `x-goog-api-key` (its model also puts `key=` in
 * the URL), Azure `api-key`. A header the model set itself is kept.
 */
function authHeaders(format: string, key: string, given: Record<string, string>): Record<string, string> {
  if (!key) return {};
  switch (format) {
    case "anthropic":
      return { "x-api-key": key, "anthropic-version": given["anthropic-version"] ?? "2023-06-01" };
    case "gemini":
      return { "x-goog-api-key": key };
    case "azure-openai":
      return { "api-key": given["api-key"] ?? key };
    default:
      return given.authorization ? {} : { authorization: `Bearer ${key}` };
  }
}

/** Every occurrence of the key, in any string inside `value`, becomes "[redacted]". */
export function redact<T>(value: T, key: string): T {
  if (!key) return value;
  const escaped = JSON.stringify(key).slice(1, -1);
  const encoded = encodeURIComponent(key);
  let text = JSON.stringify(value).split(escaped).join(REDACTED);
  if (encoded !== key) text = text.split(encoded).join(REDACTED);
  return JSON.parse(text) as T;
}

function checkUrl(url: string, tool: string): SerializedError | null {
  try {
    const { protocol } = new URL(url);
    if (protocol === "http:" || protocol === "https:") return null;
  } catch {
    // falls through to the error
  }
  return { name: "InvalidURL", message: `${tool}: ${JSON.stringify(url.slice(0, 200))} is not an http(s) URL` };
}

/** Network failures and timeouts are retried like a step error; an oversized answer is final. */
function callFailure(
  tool: string,
  method: string,
  url: string,
  e: CallError,
): { ok: false; error: SerializedError; retriable: boolean } {
  const where = `${method} ${url.split("?")[0]}`;
  if (e.kind === "too_large")
    return {
      ok: false,
      error: { name: "ResponseTooLarge", message: `${tool}: ${where}: ${e.message} (the limit is 4 MiB)` },
      retriable: false,
    };
  return {
    ok: false,
    error: { name: e.kind === "timeout" ? "TimeoutError" : "NetworkError", message: `${tool}: ${where} failed: ${e.message}` },
    retriable: true,
  };
}
