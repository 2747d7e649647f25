"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowRight, SkipForward, Zap } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";

import { eventListDto, type EventList, type EventListItem } from "@/lib/contracts/events";

import { apiGet, queryString } from "@/components/data/api";
import { usePollingFallback, useRealtime, type Hint } from "@/components/realtime/realtime";
import { cn } from "@/components/ui/cn";
import { statusColor } from "@/components/ui/status-badge";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";

import { RECENT_EVENTS_LIMIT } from "./recent";

/**
 * The home page's "Recent events" column: the newest events, each with the runs it started
 * (status dot + function, linking to the run). Live: a new event or a change to a run shown
 * refetches this short list. Rows have a fixed height, so arrivals never reflow the page.
 */
const KEY = ["recent-events"] as const;

export function RecentEvents({ initial, className }: { initial?: EventList; className?: string }) {
  const qc = useQueryClient();
  const polling = usePollingFallback();
  const query = useQuery({
    queryKey: KEY,
    queryFn: () => apiGet(`/api/v1/events${queryString({ limit: RECENT_EVENTS_LIMIT, runs: "1" })}`, eventListDto),
    initialData: initial,
    refetchInterval: polling,
  });
  const events = query.data?.data;
  const shownRuns = useRef(new Map<string, string>());
  useEffect(() => {
    shownRuns.current = new Map((events ?? []).flatMap((e) => (e.runs ?? []).map((r) => [r.id, r.status] as const)));
  }, [events]);

  const refetch = useCallback(() => void qc.invalidateQueries({ queryKey: KEY }), [qc]);
  // A run changed: refetch when it is one shown with another status, or one not shown yet (a
  // debounced or batched run can start long after its event arrived).
  const onRuns = useCallback(
    (hints: Hint[]) => {
      if (hints.some((h) => !h.id || shownRuns.current.get(h.id) !== h.status)) refetch();
    },
    [refetch],
  );
  useRealtime(["events"], refetch, 400);
  useRealtime(["runs"], onRuns, 1000);
  const fresh = useFreshIds(events);

  return (
    <aside aria-labelledby="recent-events-title" className={className} data-testid="recent-events">
      <div className="mb-2 flex h-6 items-center justify-between">
        <h2 id="recent-events-title" className="text-[11px] font-medium tracking-wide text-muted uppercase">
          Recent events
        </h2>
        <Link href="/events" className="inline-flex items-center gap-1 text-xs text-muted hover:text-fg">
          All events <ArrowRight className="size-3" aria-hidden />
        </Link>
      </div>
      <div className="overflow-hidden rounded-xl border border-line bg-panel shadow-xs">
        {query.isPending ? (
          <div className="divide-y divide-line" aria-busy>
            {Array.from({ length: 6 }, (_, i) => (
              <div key={i} className="h-[3.75rem] space-y-2 px-3 py-2.5">
                <Skeleton className="h-3.5 w-40" />
                <Skeleton className="h-3 w-28" />
              </div>
            ))}
          </div>
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} className="py-8" />
        ) : !events?.length ? (
          <div className="px-4 py-8 text-center text-[13px] text-muted">
            <Zap className="mx-auto mb-2 size-4 text-faint" aria-hidden />
            No events yet.{" "}
            <Link href="/events?send=1" className="text-accent hover:underline">
              Send one
            </Link>
          </div>
        ) : (
          <ol className="max-h-[calc(100vh-11rem)] divide-y divide-line overflow-y-auto">
            {events.map((e) => (
              <EventItem key={e.id} event={e} fresh={fresh.has(e.id)} />
            ))}
          </ol>
        )}
      </div>
    </aside>
  );
}

function EventItem({ event, fresh }: { event: EventListItem; fresh: boolean }) {
  const runs = event.runs ?? [];
  const more = event.runCount - runs.length;
  return (
    <li
      className={cn("relative h-[3.75rem] px-3 py-2 hover:bg-hover", fresh && "animate-row-in")}
      data-event-id={event.id}
      data-testid="recent-event"
    >
      <div className="flex min-w-0 items-center gap-1.5">
        <Zap className="size-3.5 shrink-0 text-amber-500" aria-hidden />
        <Link
          href={`/events/${event.id}`}
          className="min-w-0 truncate font-mono text-[12.5px] font-medium text-fg after:absolute after:inset-0 hover:underline"
          title={event.name}
        >
          {event.name}
        </Link>
        <span className="ml-auto shrink-0 text-[11px] text-faint">
          <RelativeTime iso={event.receivedAt} />
        </span>
      </div>
      <div className="mt-1 flex min-w-0 items-center gap-1 overflow-hidden pl-5">
        {runs.length === 0 ? (
          <span className="text-[11px] text-faint">No runs started</span>
        ) : (
          runs.map((r) => (
            <Link
              key={r.id}
              href={`/runs/${r.id}`}
              className={cn(
                "relative z-[1] inline-flex min-w-0 shrink items-center gap-1 rounded px-1 py-px text-[11.5px] text-muted ring-1 ring-line ring-inset hover:bg-panel hover:text-fg",
                r.status === "Skipped" && "text-faint line-through decoration-faint/60",
              )}
              title={`${r.functionName ?? r.functionId}: ${r.status}${r.statusReason ? ` (${r.statusReason})` : ""}`}
              aria-label={`Run of ${r.functionName ?? r.functionId}: ${r.status}`}
              data-run-id={r.id}
              data-status={r.status}
            >
              {r.status === "Skipped" ? (
                <SkipForward className="size-3 shrink-0 text-faint" aria-hidden />
              ) : (
                <span className={cn("size-1.5 shrink-0 rounded-full", statusColor[r.status] ?? statusColor.Queued)} />
              )}
              <span className="truncate">{r.functionName ?? r.functionId}</span>
            </Link>
          ))
        )}
        {more > 0 && <span className="shrink-0 text-[11px] text-faint">+{more}</span>}
      </div>
    </li>
  );
}

/** Ids that appeared after the first render, to highlight them briefly. */
function useFreshIds(events: EventListItem[] | undefined): ReadonlySet<string> {
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!events) return;
    if (seen.current === null) {
      seen.current = new Set(events.map((e) => e.id));
      return;
    }
    const added = events.filter((e) => !seen.current?.has(e.id)).map((e) => e.id);
    if (!added.length) return;
    for (const id of added) seen.current.add(id);
    setFresh((prev) => new Set([...prev, ...added]));
  }, [events]);
  return fresh;
}
