// The bench's yardstick: a bare node:http server answering what POST /e/<key> answers (parse the
// JSON, give each event an id, reply {ids, status}), with none of Stepwise's validation, storage
// or routing. With FN_URL set it also relays every event to that URL over an undici keep-alive
// pool (at most 100 calls in flight, like Stepwise's default worker count): the floor for the
// event→call latency and the ceiling for one-call runs per second. Plain JS, run with `node`.
import http from "node:http";

import { Pool } from "undici";
import { monotonicFactory } from "ulid";

const newId = monotonicFactory();
const fnUrl = process.env.FN_URL ? new URL(process.env.FN_URL) : null;
const pool = fnUrl ? new Pool(fnUrl.origin, { connections: 100 }) : null;
const waiting = [];
let inFlight = 0;

function relay(event) {
  if (inFlight >= 100) {
    waiting.push(event);
    return;
  }
  inFlight++;
  const body = JSON.stringify({ event, events: [event], run_id: newId(), function_id: "bare", attempt: 0 });
  pool
    .request({ method: "POST", path: fnUrl.pathname, body, headers: { "content-type": "application/json" } })
    .then((res) => res.body.text())
    .catch(() => undefined)
    .finally(() => {
      inFlight--;
      const next = waiting.shift();
      if (next) relay(next);
    });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end('{"error":"invalid json","status":400}');
      return;
    }
    const events = Array.isArray(body) ? body : [body];
    const ids = events.map(() => newId());
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ids, status: 200 }));
    if (pool) events.forEach((e, i) => relay({ ...e, id: ids[i], ts: Date.now() }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(`bare server ready on http://127.0.0.1:${server.address().port}`));
process.on("SIGTERM", () => process.exit(0));
