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

/** Calls to third-party hosts (step.fetch, step.ai.infer) keep out of the apps' pool. */
const externalAgent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });

export class CallError extends Error {
  constructor(
    message: string,
    readonly kind: "network" | "timeout" | "too_large",
  ) {
    super(message);
  }
}

export interface CallOptions {
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** a longer answer is abandoned (CallError "too_large") instead of being held in memory */
  maxBytes?: number;
  /** third-party hosts: a separate pool, and errors that do not talk about "the app" */
  external?: boolean;
}

export async function httpCall(method: string, url: string, options: CallOptions): Promise<HttpResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const peer = options.external ? "the host" : "the app";
  try {
    const res = await request(url, {
      method,
      body: options.body,
      headers: options.headers,
      dispatcher: options.external ? externalAgent : agent,
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const body = options.maxBytes === undefined ? await res.body.text() : await readCapped(res.body, options.maxBytes, url);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    }
    return { status: res.statusCode, headers, body };
  } catch (error) {
    if (error instanceof CallError) throw error;
    if (signal.aborted) throw new CallError(`no response within ${options.timeoutMs}ms`, "timeout");
    const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.code ?? e.cause?.code;
    const detail = e.cause?.message ?? e.message ?? String(error);
    if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT")
      throw new CallError(`no response within ${options.timeoutMs}ms`, "timeout");
    throw new CallError(`could not reach ${new URL(url).origin}: ${describeNetworkError(code, detail, peer)}`, "network");
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number, url: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new CallError(`the answer from ${new URL(url).origin} is larger than ${maxBytes} bytes`, "too_large");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const NETWORK_ERRORS: Record<string, (peer: string) => string> = {
  ECONNREFUSED: (peer) => (peer === "the app" ? "connection refused (is the app running?)" : "connection refused"),
  ECONNRESET: (peer) => `connection reset by ${peer}`,
  ENOTFOUND: () => "host not found",
  EAI_AGAIN: () => "host name lookup failed",
  EHOSTUNREACH: () => "host unreachable",
  ETIMEDOUT: () => "connection timed out",
  UND_ERR_SOCKET: (peer) => `${peer} closed the connection`,
};

/** Node's messages repeat the code ("ECONNREFUSED connect ECONNREFUSED …"); users get one phrase and the code. */
function describeNetworkError(code: string | undefined, detail: string, peer: string): string {
  const known = code ? NETWORK_ERRORS[code]?.(peer) : undefined;
  if (known) return `${known} [${code}]`;
  return code && !detail.includes(code) ? `${detail} [${code}]` : detail;
}

/** Ends every connection now: whatever is still in flight has been handed back to the queue. */
export async function closeHttpClient(): Promise<void> {
  await Promise.all([agent.destroy(), externalAgent.destroy()]);
}
