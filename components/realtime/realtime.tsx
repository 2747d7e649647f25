"use client";

import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

/**
 * One websocket per tab. Components subscribe to topics (`runs`, `run:<id>`, `function:<id>`,
 * `events`, `functions`, `apps`) and receive the server's invalidation hints. Every (re)connect
 * refetches what is on screen (hints missed while away are not replayed); while the socket is
 * down, queries fall back to polling (see usePollingFallback).
 *
 * A topic subscribed while the socket is already open (a page opened by client-side navigation)
 * has a gap too: whatever changed between the page's render and the server's confirmation. So
 * once the server confirms it, the topic's listeners get one hint without an id, meaning
 * "anything under this topic may have changed".
 */
export interface Hint {
  topic: string;
  id?: string;
  status?: string;
  /** on `runs`: a running run's sub-state (Sleeping | Waiting | Invoking, "" when none) */
  sub?: string;
}

export type ConnectionState = "connecting" | "open" | "closed";

interface Listener {
  topics: readonly string[];
  onHints: (hints: Hint[]) => void;
}

interface Realtime {
  state: ConnectionState;
  subscribe: (listener: Listener) => () => void;
}

const RealtimeContext = createContext<Realtime | null>(null);
const PATH = "/api/v1/realtime";

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<ConnectionState>("connecting");
  const listeners = useRef(new Set<Listener>());
  const counts = useRef(new Map<string, number>());
  const socketRef = useRef<WebSocket | null>(null);
  /** topics subscribed on an open socket, not yet confirmed by the server */
  const awaiting = useRef(new Set<string>());

  useEffect(() => {
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 500;
    const connect = () => {
      const proto = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${proto}://${location.host}${PATH}`);
      socketRef.current = socket;
      setState("connecting");
      socket.onopen = () => {
        delay = 500;
        awaiting.current.clear();
        const topics = [...counts.current.keys()];
        if (topics.length) socket.send(JSON.stringify({ type: "subscribe", topics }));
        setState("open");
        // A fresh snapshot on every (re)connect: hints sent before we subscribed (while the page
        // was rendering, or while the socket was down) are gone.
        void queryClient.invalidateQueries();
      };
      socket.onmessage = (m: MessageEvent<string>) => {
        let msg: { type?: string; hints?: Hint[]; topics?: string[] };
        try {
          msg = JSON.parse(m.data) as typeof msg;
        } catch {
          return;
        }
        if (msg.type === "subscribed" && msg.topics) {
          const confirmed = msg.topics.filter((t) => awaiting.current.delete(t));
          if (confirmed.length) msg = { type: "hints", hints: confirmed.map((topic) => ({ topic })) };
        }
        if (msg.type !== "hints" || !msg.hints) return;
        for (const l of listeners.current) {
          const mine = msg.hints.filter((h) => l.topics.includes(h.topic));
          if (mine.length) l.onHints(mine);
        }
      };
      socket.onclose = () => {
        if (socketRef.current === socket) socketRef.current = null;
        if (closed) return;
        setState("closed");
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 5000);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      socketRef.current?.close();
    };
  }, [queryClient]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    const added: string[] = [];
    for (const t of listener.topics) {
      const n = counts.current.get(t) ?? 0;
      counts.current.set(t, n + 1);
      if (n === 0) added.push(t);
    }
    const socket = socketRef.current;
    if (added.length && socket?.readyState === WebSocket.OPEN) {
      for (const t of added) awaiting.current.add(t);
      socket.send(JSON.stringify({ type: "subscribe", topics: added }));
    }
    return () => {
      listeners.current.delete(listener);
      const removed: string[] = [];
      for (const t of listener.topics) {
        const n = (counts.current.get(t) ?? 1) - 1;
        if (n <= 0) {
          counts.current.delete(t);
          removed.push(t);
        } else counts.current.set(t, n);
      }
      const s = socketRef.current;
      if (removed.length && s?.readyState === WebSocket.OPEN) s.send(JSON.stringify({ type: "unsubscribe", topics: removed }));
    };
  }, []);
  const api = useMemo<Realtime>(() => ({ state, subscribe }), [state, subscribe]);
  return <RealtimeContext.Provider value={api}>{children}</RealtimeContext.Provider>;
}

function useRealtimeContext(): Realtime {
  const ctx = useContext(RealtimeContext);
  if (!ctx) throw new Error("useRealtime must be used inside <RealtimeProvider>");
  return ctx;
}

export function useConnectionState(): ConnectionState {
  return useRealtimeContext().state;
}

/**
 * Calls `onHints` with the hints for `topics`, at most once per `throttleMs` (hints arriving
 * meanwhile are batched into the next call).
 */
export function useRealtime(topics: readonly string[], onHints: (hints: Hint[]) => void, throttleMs = 250): void {
  const { subscribe } = useRealtimeContext();
  const handler = useRef(onHints);
  useEffect(() => {
    handler.current = onHints;
  }, [onHints]);
  const key = topics.join("\n");
  useEffect(() => {
    let pending: Hint[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const flush = () => {
      timer = undefined;
      last = Date.now();
      const batch = pending;
      pending = [];
      if (batch.length) handler.current(batch);
    };
    const unsubscribe = subscribe({
      topics: key ? key.split("\n") : [],
      onHints: (hints) => {
        pending.push(...hints);
        if (timer) return;
        const wait = Math.max(0, throttleMs - (Date.now() - last));
        timer = setTimeout(flush, wait);
      },
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [key, subscribe, throttleMs]);
}

/** The polling interval a query should use: none while the socket is up. */
export function usePollingFallback(ms = 3000): number | false {
  return useConnectionState() === "open" ? false : ms;
}
