import http from "node:http";

/**
 * Serves a fixture app on PORT (or a free port, printed as "listening <port>" for the test
 * harness): the SDK's handler, `GET /__stats` (what the app observed), and POST actions that
 * call the SDK client from inside the app (`inngest.send`, `inngest.sendSignal`), so tests go
 * through the SDK's own client. `onCall` sees every request meant for the handler first.
 */
export function serveFixture({ handler, stats, actions = {}, onCall }) {
  const server = http.createServer((req, res) => {
    if (req.url === "/__stats") return reply(res, 200, stats);
    const action = req.method === "POST" ? actions[req.url] : undefined;
    if (action) {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        Promise.resolve()
          .then(() => action(JSON.parse(raw)))
          .then(
            (out) => reply(res, 200, out ?? null),
            (err) => reply(res, 500, { error: String(err?.message ?? err) }),
          );
      });
      return;
    }
    onCall?.(req);
    return handler(req, res);
  });
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    console.log(`listening ${server.address().port}`);
  });
  return server;
}

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
