"use client";

import { SkipForward, SquareFunction, Zap } from "lucide-react";
import Link from "next/link";
import { useState } from "react";

import type { RunDetail } from "@/lib/contracts/runs";

import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ErrorView, JsonView } from "@/components/ui/json-view";
import { Panel } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";

import { parseStatusReason } from "./status-reason";

/** A skipped run never ran: instead of an empty timeline, the rule that decided it and what to do. */
export function SkippedPanel({ detail }: { detail: RunDetail }) {
  const { run } = detail;
  const parts = run.statusReason ? parseStatusReason(run.statusReason) : [];
  return (
    <Panel title="Why this run was skipped">
      <div className="space-y-4 p-4 text-[13px]" data-testid="skipped-panel">
        <div className="flex gap-3">
          <div className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-zinc-500/10 ring-1 ring-zinc-500/20">
            <SkipForward className="size-4 text-muted" aria-hidden />
          </div>
          <div className="min-w-0 space-y-1">
            {parts.length === 0 ? (
              <p className="text-fg">Flow control decided not to start this run.</p>
            ) : (
              parts.map((p, i) => (
                <p key={i} className="text-fg">
                  {p.rule && <span className="font-semibold">{p.rule}: </span>}
                  {p.detail}
                </p>
              ))
            )}
            <p className="text-muted">
              The event was stored and matched this function, but its flow control skipped the run: the app was never called.{" "}
              <span className="text-fg">Rerun</span> starts it anyway.
            </p>
          </div>
        </div>
        <Button asChild size="sm">
          <Link href={`/functions/${encodeURIComponent(run.functionId)}`}>
            <SquareFunction /> See the function&apos;s configuration
          </Link>
        </Button>
      </div>
    </Panel>
  );
}

/** The run's output, or its error. */
export function OutputPanel({ detail }: { detail: RunDetail }) {
  const { run } = detail;
  return (
    <Panel title={run.status === "Failed" ? "Error" : "Output"}>
      <div className="p-4" data-testid="run-output">
        {run.status === "Completed" ? (
          <JsonView value={run.output} label="Output" />
        ) : run.status === "Failed" ? (
          <ErrorView error={run.error} />
        ) : run.status === "Cancelled" || run.status === "Skipped" ? (
          <p className="text-[13px] text-muted">
            No output: the run was {run.status === "Cancelled" ? "cancelled" : "skipped"}
            {run.statusReason ? "" : "."}
            {run.statusReason && <span className="text-faint"> ({run.statusReason}).</span>}
          </p>
        ) : (
          <p className="text-[13px] text-muted">The output appears here when the run finishes.</p>
        )}
      </div>
    </Panel>
  );
}

/** The run's trigger events (a batch has several), with their payloads. */
export function EventsPanel({ detail }: { detail: RunDetail }) {
  const [index, setIndex] = useState(0);
  const events = detail.events;
  const event = events[Math.min(index, events.length - 1)];
  return (
    <Panel
      title={events.length > 1 ? `Trigger events (${events.length})` : "Trigger event"}
      actions={
        event && (
          <Button asChild size="sm" variant="ghost">
            <Link href={`/events/${event.id}`}>
              <Zap /> Open event
            </Link>
          </Button>
        )
      }
    >
      <div className="space-y-3 p-4">
        {!event ? (
          <p className="text-[13px] text-muted">
            {detail.run.trigger === "cron" ? `Started by the schedule ${detail.run.cron ?? ""}.` : "No trigger event."}
          </p>
        ) : (
          <>
            {events.length > 1 && (
              <div className="flex flex-wrap gap-1.5">
                {events.map((e, i) => (
                  <button
                    key={e.id}
                    type="button"
                    onClick={() => setIndex(i)}
                    className={cn(
                      "h-6 rounded-md px-2 font-mono text-[11px] ring-1 ring-line ring-inset",
                      i === index ? "bg-accent-soft text-fg" : "text-muted hover:bg-hover",
                    )}
                  >
                    #{i + 1}
                  </button>
                ))}
              </div>
            )}
            <div className="flex items-center gap-2 text-[13px]">
              <span className="font-mono font-medium text-fg">{event.name}</span>
              <span className="text-xs text-faint">
                received <RelativeTime iso={event.receivedAt} />
              </span>
            </div>
            <JsonView
              value={{
                name: event.name,
                data: event.data,
                ...(event.user != null ? { user: event.user } : {}),
                ...(event.externalId ? { id: event.externalId } : {}),
                ts: event.ts,
              }}
              label="Payload"
              maxHeight="20rem"
            />
          </>
        )}
      </div>
    </Panel>
  );
}
