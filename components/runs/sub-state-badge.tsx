"use client";

import { CircleDashed, Clock3, PhoneForwarded } from "lucide-react";

import type { RunSubState } from "@/lib/contracts/runs";

import { cn } from "@/components/ui/cn";
import { formatClock, formatExact, formatShortDate } from "@/components/ui/format";
import { Tooltip } from "@/components/ui/tooltip";

/**
 * What a Running run is held on: "Sleeping until 12:03:15", "Waiting for app/x.y", "Waiting for
 * <function>" (step.invoke). Coloured like the step statuses on the timeline.
 */
const STYLES: Record<RunSubState["kind"], { cls: string; icon: typeof Clock3 }> = {
  Sleeping: { cls: "bg-violet-500/10 text-violet-700 ring-violet-500/25 dark:text-violet-300", icon: Clock3 },
  Waiting: { cls: "bg-amber-500/10 text-amber-700 ring-amber-500/25 dark:text-amber-300", icon: CircleDashed },
  Invoking: { cls: "bg-sky-500/10 text-sky-700 ring-sky-500/25 dark:text-sky-300", icon: PhoneForwarded },
};

export function subStateText(s: RunSubState): string {
  if (s.kind === "Sleeping") return s.until ? `Sleeping until ${untilText(s.until)}` : "Sleeping";
  return s.target ? `Waiting for ${s.target}` : s.kind === "Invoking" ? "Waiting for an invoked run" : "Waiting for an event";
}

/** Today's wake-ups as a clock time; later ones with their date. */
function untilText(iso: string): string {
  return Math.abs(Date.parse(iso) - Date.now()) < 12 * 3600_000 ? formatClock(iso) : formatShortDate(iso);
}

export function SubStateBadge({ subState, className }: { subState: RunSubState; className?: string }) {
  const { cls, icon: Icon } = STYLES[subState.kind];
  const text = subStateText(subState);
  const detail =
    subState.kind === "Sleeping"
      ? "step.sleep: the run resumes by itself"
      : subState.kind === "Invoking"
        ? "step.invoke: the run resumes when the invoked run finishes"
        : subState.target?.startsWith("signal ")
          ? "step.waitForSignal: the run resumes when POST /v1/signals sends the signal"
          : "step.waitForEvent: the run resumes when a matching event arrives";
  return (
    <Tooltip
      content={
        <span>
          {detail}
          {subState.until && (
            <span className="block font-mono text-[11px] opacity-80">
              {subState.kind === "Sleeping" ? "wakes" : "times out"} {formatExact(subState.until)}
            </span>
          )}
        </span>
      }
    >
      <span
        tabIndex={-1}
        className={cn(
          "inline-flex h-4.5 max-w-full min-w-0 items-center gap-1 rounded-full px-1.5 text-[11px] font-medium ring-1 ring-inset",
          cls,
          className,
        )}
        data-testid="sub-state"
        data-sub-state={subState.kind}
      >
        <Icon className="size-3 shrink-0" aria-hidden />
        <span className="truncate" suppressHydrationWarning>
          {text}
        </span>
      </span>
    </Tooltip>
  );
}
