import canonicalize from "canonicalize";

import { sign, verifySignature } from "@/lib/auth/signing";
import { type CallError, httpCall } from "@/lib/http/client";
import type { SerializedError } from "@/lib/state/runs";

/**
 * One call to an Inngest SDK app (protocol reference §5–§6): build the canonical body, sign it
 * in production mode, POST it to the function's runtime URL with `stepId`, and classify the
 * answer. Deciding what the answer means for the run is sdk-apply.ts's job.
 */
export interface SdkOp {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  opts?: Record<string, unknown> | null;
  data?: unknown;
  error?: SerializedError;
  userland?: { id?: string; index?: number };
  timing?: { a?: number; b?: number };
}

export type SdkAnswer =
  | { kind: "complete"; output: unknown; version: number | null }
  | { kind: "ops"; ops: SdkOp[]; version: number | null; retryAfter?: string }
  | {
      kind: "error";
      error: SerializedError;
      noRetry: boolean;
      retryAfter?: string;
      status: number | null;
      version: number | null;
    };

export interface SdkCallInput {
  url: string;
  stepId: string;
  body: Record<string, unknown>;
  signingKey?: string;
  signingKeyFallback?: string;
  serverKind: "dev" | "cloud";
  runId: string;
  timeoutMs: number;
}

export function callUrl(runtimeUrl: string, stepId: string): string {
  const url = new URL(runtimeUrl);
  url.searchParams.set("stepId", stepId);
  return url.toString();
}

export async function callSdk(input: SdkCallInput): Promise<SdkAnswer> {
  const body = canonicalize(input.body) ?? "{}";
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-inngest-server-kind": input.serverKind,
    "x-run-id": input.runId,
    "x-request-id": input.runId,
    "x-inngest-step-id": input.stepId,
  };
  if (input.signingKey) headers["x-inngest-signature"] = sign(body, input.signingKey);

  let res;
  try {
    res = await httpCall("POST", callUrl(input.url, input.stepId), { body, headers, timeoutMs: input.timeoutMs });
  } catch (error) {
    const e = error as CallError;
    return {
      kind: "error",
      error: { name: e.kind === "timeout" ? "TimeoutError" : "NetworkError", message: e.message },
      noRetry: false,
      status: null,
      version: null,
    };
  }
  return classify(res, input);
}

function classify(res: { status: number; headers: Record<string, string>; body: string }, input: SdkCallInput): SdkAnswer {
  const versionHeader = res.headers["x-inngest-req-version"];
  const version = versionHeader !== undefined && versionHeader !== "" ? Number(versionHeader) : null;
  const fromSdk = res.headers["x-inngest-sdk"] !== undefined;
  // An SDK in cloud mode that could not verify the call answers 401 and strips its headers
  // (all but X-Inngest-SDK-Handled): say why instead of "not an SDK".
  if (res.status === 401 && (fromSdk || res.headers["x-inngest-sdk-handled"] !== undefined)) {
    return {
      kind: "error",
      error: {
        name: "Unauthorized",
        message: input.signingKey
          ? "the app rejected the call's signature (401): its INNGEST_SIGNING_KEY differs from the server's signing key"
          : "the app rejected the call (401): it runs in cloud mode and expects signed calls; start it with INNGEST_DEV=1, or run `stepwise start` with its signing key",
      },
      noRetry: false,
      status: 401,
      version,
    };
  }
  if (!fromSdk) {
    return {
      kind: "error",
      error: {
        name: "NotAnSdkResponse",
        message: `HTTP ${res.status} from ${new URL(input.url).origin} without an X-Inngest-SDK header: the URL does not serve an Inngest SDK endpoint${res.body ? ` (${res.body.slice(0, 200)})` : ""}`,
      },
      noRetry: false,
      status: res.status,
      version,
    };
  }
  if (input.signingKey && res.status !== 401) {
    const keys = [input.signingKey, input.signingKeyFallback].filter((k): k is string => !!k);
    if (!verifySignature(res.headers["x-inngest-signature"] ?? null, res.body, keys)) {
      return {
        kind: "error",
        error: {
          name: "InvalidSignature",
          message: "the SDK's response signature is missing or invalid (check the app's signing key)",
        },
        noRetry: false,
        status: res.status,
        version,
      };
    }
  }

  let parsed: unknown;
  try {
    parsed = res.body === "" ? null : JSON.parse(res.body);
  } catch {
    parsed = res.body;
  }

  if (res.status === 201) return classifyStream(res.body, input, version);
  if (res.status === 200) return { kind: "complete", output: parsed, version };
  if (res.status === 206 && Array.isArray(parsed))
    return { kind: "ops", ops: parsed as SdkOp[], version, retryAfter: res.headers["retry-after"] };

  const noRetry = res.headers["x-inngest-no-retry"] === "true";
  return {
    kind: "error",
    error: toSerializedError(parsed, res.status),
    noRetry,
    retryAfter: res.headers["retry-after"],
    status: res.status,
    version,
  };
}

/** Streaming answers (201): whitespace heartbeats, then `{status, headers, body}`. */
function classifyStream(raw: string, input: SdkCallInput, version: number | null): SdkAnswer {
  try {
    const inner = JSON.parse(raw.trim()) as { status: number; headers?: Record<string, string>; body: string };
    const headers: Record<string, string> = { "x-inngest-sdk": "stream" };
    for (const [k, v] of Object.entries(inner.headers ?? {})) headers[k.toLowerCase()] = v;
    if (version !== null) headers["x-inngest-req-version"] ??= String(version);
    return classify(
      { status: inner.status, headers, body: typeof inner.body === "string" ? inner.body : JSON.stringify(inner.body) },
      { ...input, signingKey: undefined },
    );
  } catch {
    return {
      kind: "error",
      error: { name: "InvalidStream", message: "the SDK's streamed answer could not be read" },
      noRetry: false,
      status: 201,
      version,
    };
  }
}

export function toSerializedError(body: unknown, status: number | null): SerializedError {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const message = typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : JSON.stringify(b);
    return { ...b, name: typeof b.name === "string" ? b.name : "Error", message };
  }
  const text = typeof body === "string" ? body : body === null ? "" : JSON.stringify(body);
  return { name: "Error", message: text || `HTTP ${status ?? "error"}` };
}
