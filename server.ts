import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import next from "next";
import { WebSocketServer } from "ws";

import { matchRoute } from "@/app/_server/route-table";
import type { ServerOptions } from "@/lib/config/options";
import { isAdminRequest, isApiPath, isOpenPath } from "@/lib/auth/admin";
import { AppError } from "@/lib/errors";
import { BufferedRequest, TextResponse } from "@/lib/http/buffered";
import { errorResponse, json } from "@/lib/http/responses";
import { logger } from "@/lib/logger";
import { RealtimeHub } from "@/lib/realtime/hub";
import { startRuntime, type Runtime } from "@/lib/runtime/runtime";

/**
 * The process: options → runtime (database, engine) → one HTTP server that dispatches the hot
 * API paths straight to their route handlers, hands everything else to Next, and upgrades only
 * its own websocket path (other upgrades, e.g. Next's HMR socket, go to Next).
 */
export const REALTIME_PATH = "/api/v1/realtime";
/** The most the dispatcher buffers (each route also enforces its own, smaller limit). */
const MAX_BUFFERED_BODY = 16 * 1024 * 1024;

export interface RunningServer {
  url: string;
  runtime: Runtime;
  close(): Promise<void>;
}

export function packageRoot(): string {
  // dist/stepwise.js (built) or the repository root (tsx): both sit one level below or at the root.
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.basename(here) === "dist" || path.basename(here) === "bin" ? path.dirname(here) : here;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const rootDir = packageRoot();
  const runtime = await startRuntime(options, { rootDir });

  const nextApp = next({ dev: options.hotReload, dir: rootDir, quiet: !options.hotReload });
  await nextApp.prepare();
  const nextHandler = nextApp.getRequestHandler();
  const nextUpgrade = nextApp.getUpgradeHandler();

  const bodyLimit = Math.max(MAX_BUFFERED_BODY, options.maxRequestBytes);
  // API requests being handled: shutdown answers them before it closes the database.
  const inFlight = new Set<Promise<void>>();
  let closing: Promise<void> | null = null;
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const pathname = url.split("?")[0] ?? "/";
    // Production: everything but the SDK/event endpoints, health and the login needs the admin
    // credential (one place, before Next or a handler sees the request).
    if (!isOpenPath(pathname) && !isAdminRequest(options, req.headers)) {
      refuse(res, pathname, url);
      return;
    }
    const route = matchRoute(pathname);
    if (!route) {
      void nextHandler(req, res);
      return;
    }
    if (closing) res.setHeader("connection", "close");
    const handled = dispatch(req, res, route, bodyLimit)
      .catch((error: unknown) => logger.error({ err: error }, "request failed"))
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });
  server.keepAliveTimeout = 65_000;

  const wss = new WebSocketServer({ noServer: true });
  const hub = new RealtimeHub(runtime.bus, wss);
  server.on("upgrade", (req, socket, head) => {
    if ((req.url ?? "").split("?")[0] === REALTIME_PATH) {
      if (!isAdminRequest(options, req.headers)) {
        socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    } else if (options.hotReload) {
      // Next's dev server has its own socket (hot module reload).
      void nextUpgrade(req, socket, head);
    } else {
      // A production Next build has no sockets of its own and would leave the request hanging.
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  runtime.listening(port);
  const shownHost = !options.host || options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  const url = `http://${shownHost}:${port}`;

  // Shutdown: stop accepting connections and leasing work; answer the requests in progress and
  // let calls in flight finish (or hand them back to the queue); only then close the database.
  const close = () =>
    (closing ??= (async () => {
      hub.close();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => setTimeout(resolve, options.shutdownGraceMs).unref()),
      ]);
      await Promise.all([drained, runtime.engine.stop(options.shutdownGraceMs)]);
      await runtime.stop();
      server.closeAllConnections();
      await closed;
      await nextApp.close().catch(() => undefined);
    })());
  return { url, runtime, close };
}

/** 401 JSON for API clients; a redirect to the login page for people. */
function refuse(res: ServerResponse, pathname: string, url: string): void {
  if (isApiPath(pathname)) {
    res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="stepwise"' });
    res.end(
      JSON.stringify({
        error: "authentication required: send the admin password (or signing key) as a Bearer token, or log in",
        code: "unauthorized",
        status: 401,
      }),
    );
    return;
  }
  res.writeHead(302, { location: `/login?next=${encodeURIComponent(url)}` });
  res.end();
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  route: NonNullable<ReturnType<typeof matchRoute>>,
  bodyLimit: number,
): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase() as "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  const handler = route.module[method === ("HEAD" as string) ? "GET" : method];
  let response: Response;
  if (!handler) {
    response = json({ error: `${method} is not allowed here`, code: "method_not_allowed", status: 405 }, 405);
  } else {
    try {
      const body = method === "GET" || method === "DELETE" ? null : await readBody(req, bodyLimit);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined) continue;
        headers.set(k, Array.isArray(v) ? v.join(", ") : v);
      }
      // A BufferedRequest hands the bytes already read to readText without a stream round trip.
      const request = new BufferedRequest(
        `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
        { method, headers },
        body,
      );
      response = await handler(request, { params: Promise.resolve(route.params) });
    } catch (error) {
      response = errorResponse(error);
    }
  }
  res.statusCode = response.status;
  response.headers.forEach((value, key) => res.setHeader(key, value));
  // json() answers a TextResponse: its text is written as is, without reading a stream.
  if (response instanceof TextResponse) res.end(response.bodyText);
  else res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Buffers a request body up to `limit`. A larger body is read to its end and dropped, so the
 * client gets a 413 answer rather than a reset connection (beyond 4× the limit the connection
 * is cut: nobody gets to stream endless data at us).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 4 * limit) {
        req.destroy();
        return;
      }
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () =>
      size > limit
        ? reject(new AppError("payload_too_large", `the request body is larger than the ${limit} bytes allowed`))
        : resolve(Buffer.concat(chunks)),
    );
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete)
        reject(new AppError("invalid_request", "the client closed the connection before sending the whole body"));
    });
  });
}
