import { CalendarClock, Zap } from "lucide-react";

import type { FunctionDto } from "@/lib/contracts/functions";

import { cn } from "@/components/ui/cn";

/** A function's triggers as compact chips: event names (with their `if`) and cron schedules. */
export function TriggerChips({ triggers, className }: { triggers: FunctionDto["triggers"]; className?: string }) {
  return (
    <div className={cn("flex min-w-0 flex-wrap gap-1", className)}>
      {triggers.map((t, i) => (
        <span
          key={i}
          className="inline-flex max-w-full items-center gap-1 truncate rounded-md bg-sunken px-1.5 py-0.5 font-mono text-[11.5px] text-fg ring-1 ring-line ring-inset"
          title={"event" in t ? (t.expression ? `${t.event} if ${t.expression}` : t.event) : t.cron}
        >
          {"event" in t ? (
            <Zap className="size-3 shrink-0 text-amber-500" aria-hidden />
          ) : (
            <CalendarClock className="size-3 shrink-0 text-muted" aria-hidden />
          )}
          <span className="truncate">{"event" in t ? t.event : t.cron}</span>
          {"event" in t && t.expression && <span className="text-faint">if…</span>}
        </span>
      ))}
    </div>
  );
}

export function PausedBadge() {
  return (
    <span
      className="inline-flex h-5.5 items-center gap-1 rounded-full bg-amber-500/10 px-2 text-xs font-medium text-amber-700 ring-1 ring-amber-500/25 ring-inset dark:text-amber-300"
      data-testid="paused-badge"
    >
      <span className="size-1.5 rounded-full bg-amber-500" />
      Paused
    </span>
  );
}

export function ActiveBadge() {
  return (
    <span className="inline-flex h-5.5 items-center gap-1 rounded-full bg-emerald-500/10 px-2 text-xs font-medium text-emerald-700 ring-1 ring-emerald-500/25 ring-inset dark:text-emerald-300">
      <span className="size-1.5 rounded-full bg-emerald-500" />
      Active
    </span>
  );
}
