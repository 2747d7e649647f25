import type { IncomingMessage } from "node:http";

import type { WebSocket, WebSocketServer } from "ws";
import { z } from "zod";

import type { Bus, BusMessage } from "./bus";

/**
 * The websocket side of realtime: clients subscribe to topics (`runs`, `run:<id>`, `events`,
 * `functions`, `apps`) and receive small invalidation hints `{topic, id, status}`, coalesced
 * per topic and id every `flushMs`. Hints are not a data source: clients refetch on connect
 * and whenever a hint arrives.
 */
export interface Hint {
  topic: string;
  id?: string;
  status?: string;
  /** on `runs`: the running run's sub-state (Sleeping | Waiting | Invoking, "" when none) */
  sub?: string;
}

const WAIT_STATUSES = new Set(["Sleeping", "Waiting", "Invoking"]);

const clientMessage = z.object({
  type: z.enum(["subscribe", "unsubscribe"]),
  topics: z.array(z.string().max(200)).max(100),
});

export function hintsFor(message: BusMessage): Hint[] {
  switch (message.topic) {
    case "run.changed": {
      const p = message.payload;
      return [
        { topic: "runs", id: p.id, status: p.status },
        { topic: `run:${p.id}`, id: p.id, status: p.status },
        { topic: `function:${p.functionId}`, id: p.id, status: p.status },
      ];
    }
    case "step.changed": {
      const p = message.payload;
      const hints: Hint[] = [{ topic: `run:${p.runId}`, id: p.stepId, status: p.status }];
      // A run starting or ending a sleep or wait stays Running: lists learn of it from the sub-state.
      if (WAIT_STATUSES.has(p.status)) hints.push({ topic: "runs", id: p.runId, status: "Running", sub: p.status });
      else if (p.resumed) hints.push({ topic: "runs", id: p.runId, status: "Running", sub: "" });
      return hints;
    }
    case "events.received":
      return [{ topic: "events", id: message.payload.ids[message.payload.ids.length - 1] }];
    case "registry.changed":
      return [{ topic: "functions" }];
    case "apps.changed":
      return [{ topic: "apps", id: message.payload.id }];
    default:
      return [];
  }
}

export class RealtimeHub {
  private readonly clients = new Map<WebSocket, Set<string>>();
  private pending = new Map<string, Hint>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    bus: Bus,
    private readonly wss: WebSocketServer,
    flushMs = 100,
  ) {
    this.unsubscribe = bus.subscribeAll((m) => {
      if (this.clients.size === 0) return;
      for (const hint of hintsFor(m)) this.pending.set(`${hint.topic}|${hint.id ?? ""}`, hint);
    });
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
    wss.on("connection", (socket: WebSocket, _req: IncomingMessage) => this.accept(socket));
  }

  private accept(socket: WebSocket): void {
    const topics = new Set<string>();
    this.clients.set(socket, topics);
    socket.on("message", (raw) => {
      let parsed;
      try {
        parsed = clientMessage.safeParse(JSON.parse(Buffer.isBuffer(raw) ? raw.toString("utf8") : ""));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        socket.send(JSON.stringify({ type: "error", error: "send {type: 'subscribe'|'unsubscribe', topics: string[]}" }));
        return;
      }
      for (const t of parsed.data.topics) {
        if (parsed.data.type === "subscribe") topics.add(t);
        else topics.delete(t);
      }
      socket.send(JSON.stringify({ type: "subscribed", topics: [...topics] }));
    });
    socket.on("close", () => this.clients.delete(socket));
    socket.on("error", () => this.clients.delete(socket));
    socket.send(JSON.stringify({ type: "hello" }));
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const hints = [...this.pending.values()];
    this.pending = new Map();
    for (const [socket, topics] of this.clients) {
      const mine = hints.filter((h) => topics.has(h.topic));
      if (mine.length && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: "hints", hints: mine }));
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    for (const socket of this.clients.keys()) socket.close(1001, "server shutting down");
    this.clients.clear();
  }
}
