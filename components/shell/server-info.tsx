"use client";

import { createContext, useContext, type ReactNode } from "react";

import type { InfoDto } from "@/lib/contracts/info";

/** What the server told the layout about itself (mode, URL), for examples and badges. */
const InfoContext = createContext<InfoDto | null>(null);

export function ServerInfoProvider({ info, children }: { info: InfoDto; children: ReactNode }) {
  return <InfoContext.Provider value={info}>{children}</InfoContext.Provider>;
}

export function useServerInfo(): InfoDto | null {
  return useContext(InfoContext);
}

/** A curl line that sends an event to this server (with a placeholder key in production). */
export function useSendEventExample(): string {
  const info = useServerInfo();
  const base = info?.url ?? "http://localhost:8288";
  const key = info?.mode === "start" ? "$EVENT_KEY" : "dev";
  return `curl -X POST ${base}/e/${key} \\\n  -d '{"name":"user.created","data":{"id":"42"}}'`;
}
