import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A plain HTTP function endpoint for tests: records every call and answers with whatever the
 * test's responder returns (status, JSON body, delay).
 */
export interface RecordedCall {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** the body exactly as received (signatures are over these bytes) */
  raw: string;
  body: {
    event: { id: string; name: string; data: Record<string, unknown>; ts: number };
    events: unknown[];
    run_id: string;
    function_id: string;
    attempt: number;
  };
}

export interface Reply {
  status?: number;
  body?: unknown;
  delayMs?: number;
  headers?: Record<string, string>;
}

export interface FunctionApp {
  url: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

export async function startFunctionApp(
  respond: (call: RecordedCall) => Reply | Promise<Reply> = () => ({ body: { ok: true } }),
): Promise<FunctionApp> {
  const calls: RecordedCall[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const call: RecordedCall = {
        at: Date.now(),
        path: req.url ?? "/",
        headers: req.headers,
        raw,
        body: JSON.parse(raw) as RecordedCall["body"],
      };
      calls.push(call);
      void Promise.resolve(respond(call)).then(async (reply) => {
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...(reply.headers ?? {}) });
        res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
      });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
