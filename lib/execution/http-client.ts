import { Agent, request } from "undici";

/**
 * The engine's HTTP client: one keep-alive connection pool per origin (undici), which answers
 * several times more calls per second than the global fetch. Every call has a total deadline.
 */
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 512 });

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class CallError extends Error {
  constructor(
    message: string,
    readonly kind: "network" | "timeout",
  ) {
    super(message);
  }
}

export async function httpCall(
  method: "GET" | "POST" | "PUT",
  url: string,
  options: { body?: string; headers?: Record<string, string>; timeoutMs: number },
): Promise<HttpResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const res = await request(url, {
      method,
      body: options.body,
      headers: options.headers,
      dispatcher: agent,
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const body = await res.body.text();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    }
    return { status: res.statusCode, headers, body };
  } catch (error) {
    if (signal.aborted) throw new CallError(`no response within ${options.timeoutMs}ms`, "timeout");
    const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.code ?? e.cause?.code;
    const detail = e.cause?.message ?? e.message ?? String(error);
    if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT")
      throw new CallError(`no response within ${options.timeoutMs}ms`, "timeout");
    throw new CallError(`could not reach ${new URL(url).origin}: ${describeNetworkError(code, detail)}`, "network");
  }
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused (is the app running?)",
  ECONNRESET: "connection reset by the app",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "the app closed the connection",
};

/** Node's messages repeat the code ("ECONNREFUSED connect ECONNREFUSED …"); users get one phrase and the code. */
function describeNetworkError(code: string | undefined, detail: string): string {
  const known = code ? NETWORK_ERRORS[code] : undefined;
  if (known) return `${known} [${code}]`;
  return code && !detail.includes(code) ? `${detail} [${code}]` : detail;
}

/** Ends every connection now: whatever is still in flight has been handed back to the queue. */
export async function closeHttpClient(): Promise<void> {
  await agent.destroy();
}
