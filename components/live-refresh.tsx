"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-renders the server page when the websocket hints that one of `topics` changed. */
export function LiveRefresh({ topics }: { topics: string[] }) {
  const router = useRouter();
  const key = topics.join(",");
  useEffect(() => {
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const connect = () => {
      const proto = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${proto}://${location.host}/api/v1/realtime`);
      socket.onopen = () => {
        socket?.send(JSON.stringify({ type: "subscribe", topics: key.split(",") }));
        router.refresh();
      };
      socket.onmessage = (m: MessageEvent<string>) => {
        const msg = JSON.parse(m.data) as { type: string };
        if (msg.type === "hints") router.refresh();
      };
      socket.onclose = () => {
        if (!closed) retry = setTimeout(connect, 1000);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      socket?.close();
    };
  }, [key, router]);
  return null;
}
