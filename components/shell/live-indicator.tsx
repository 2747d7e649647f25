"use client";

import { useConnectionState } from "@/components/realtime/realtime";
import { cn } from "@/components/ui/cn";
import { Tooltip } from "@/components/ui/tooltip";

/** Whether updates are arriving over the websocket (or, while it reconnects, by polling). */
export function LiveIndicator() {
  const state = useConnectionState();
  const label = state === "open" ? "Live" : state === "connecting" ? "Connecting" : "Reconnecting";
  return (
    <Tooltip
      content={
        state === "open"
          ? "Connected: runs, steps and events appear as they happen."
          : "The live connection is down: refreshing every few seconds until it is back."
      }
    >
      <span
        tabIndex={0}
        role="status"
        data-testid="live-indicator"
        data-state={state}
        className="inline-flex h-7 shrink-0 items-center gap-1.5 rounded-full border border-line bg-panel px-2.5 text-xs font-medium text-muted"
      >
        <span className="relative flex size-2">
          {state === "open" && (
            <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-60" />
          )}
          <span
            className={cn(
              "relative inline-flex size-2 rounded-full",
              state === "open" ? "bg-emerald-500" : state === "connecting" ? "bg-zinc-400" : "animate-pulse-dot bg-amber-500",
            )}
          />
        </span>
        {label}
      </span>
    </Tooltip>
  );
}
