"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";

import { runDetailDto, type RunDetail, type StepDto } from "@/lib/contracts/runs";

import { apiGet } from "@/components/data/api";
import { usePollingFallback, useRealtime } from "@/components/realtime/realtime";
import { cn } from "@/components/ui/cn";
import { ErrorState, Panel } from "@/components/ui/states";
import { StatusBadge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { useNow } from "@/components/ui/use-now";

import { RunHeader } from "./run-header";
import { EventsPanel, OutputPanel, SkippedPanel } from "./run-panels";
import { RunSkeleton } from "./run-skeleton";
import { isTerminal } from "./run-status";
import { StepPanel } from "./run-step-panel";
import { RunTimeline } from "./run-timeline";

/**
 * `/runs/<id>`: the run, its timeline and steps, trigger events and output; live while in flight.
 * The parts: run-header.tsx (with run-banners.tsx), run-step-panel.tsx, run-panels.tsx (output,
 * events, skipped), run-skeleton.tsx.
 */
export function RunPage({ id, initial }: { id: string; initial?: RunDetail }) {
  const qc = useQueryClient();
  const key = useMemo(() => ["run", id] as const, [id]);
  const polling = usePollingFallback(2000);
  const query = useQuery({
    queryKey: key,
    queryFn: () => apiGet(`/api/v1/runs/${id}`, runDetailDto),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && isTerminal(q.state.data.run.status) ? false : polling),
  });
  const onHints = useCallback(() => void qc.invalidateQueries({ queryKey: key }), [qc, key]);
  useRealtime([`run:${id}`], onHints, 200);

  const detail = query.data;
  const live = !!detail && !isTerminal(detail.run.status);
  const now = useNow(250, live, initial ? Date.parse(initial.now) : undefined);
  const [selected, setSelected] = useState<string | null>(null);

  if (query.isPending) return <RunSkeleton />;
  if (query.isError || !detail) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;

  const groups = new Map<string, StepDto[]>();
  for (const s of detail.steps) groups.set(s.hashedId, [...(groups.get(s.hashedId) ?? []), s]);
  // By default the step that failed the run, else the latest step.
  const failedStep =
    detail.run.status === "Failed" ? detail.steps.find((s) => s.status === "Failed" && s.op !== "Execution") : undefined;
  const selectedKey = selected && groups.has(selected) ? selected : (failedStep?.hashedId ?? [...groups.keys()].pop() ?? null);

  return (
    <div className="space-y-5" data-testid="run-page" data-run-status={detail.run.status}>
      <RunHeader detail={detail} now={now} />
      {detail.run.status === "Skipped" ? (
        <div className="grid items-start gap-5 xl:grid-cols-2">
          <SkippedPanel detail={detail} />
          <EventsPanel detail={detail} />
        </div>
      ) : (
        <RunBody detail={detail} live={live} now={now} selectedKey={selectedKey} onSelect={setSelected} groups={groups} />
      )}
      {detail.reruns.length > 0 && (
        <Panel title={`Reruns of this run (${detail.reruns.length})`}>
          <ul className="divide-y divide-line">
            {detail.reruns.map((r) => (
              <li key={r.id}>
                <Link
                  href={`/runs/${r.id}`}
                  className="flex h-10 items-center gap-3 px-4 text-[13px] hover:bg-hover"
                  data-testid="rerun-link"
                >
                  <StatusBadge status={r.status} />
                  <span className="font-mono text-xs text-muted">{r.id}</span>
                  <span className="ml-auto text-xs text-faint">
                    <RelativeTime iso={r.queuedAt} />
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </Panel>
      )}
    </div>
  );
}

function RunBody({
  detail,
  live,
  now,
  selectedKey,
  onSelect,
  groups,
}: {
  detail: RunDetail;
  live: boolean;
  now: number;
  selectedKey: string | null;
  onSelect: (key: string) => void;
  groups: Map<string, StepDto[]>;
}) {
  return (
    <>
      <div className="grid items-start gap-5 xl:grid-cols-[minmax(0,1fr)_minmax(0,0.85fr)]">
        <Panel
          title="Timeline"
          actions={<Legend kept={detail.steps.some((s) => s.fromOrigin)} />}
          className="overflow-hidden"
          bodyClassName="py-1"
        >
          {detail.steps.length === 0 && detail.pending.length === 0 && isTerminal(detail.run.status) ? (
            <p className="px-4 py-6 text-[13px] text-muted">
              This run ended before any step ran{detail.run.statusReason ? `: ${detail.run.statusReason}` : "."}
            </p>
          ) : (
            <RunTimeline detail={detail} now={live ? now : Date.parse(detail.now)} selected={selectedKey} onSelect={onSelect} />
          )}
        </Panel>
        <StepPanel detail={detail} attempts={selectedKey ? (groups.get(selectedKey) ?? []) : []} now={now} />
      </div>
      <div className="grid items-start gap-5 xl:grid-cols-2">
        <OutputPanel detail={detail} />
        <EventsPanel detail={detail} />
      </div>
    </>
  );
}

function Legend({ kept }: { kept?: boolean }) {
  const item = (cls: string, label: string) => (
    <span className="inline-flex items-center gap-1.5">
      <span className={cn("h-2 w-3 rounded-[2px]", cls)} />
      {label}
    </span>
  );
  return (
    <div className="hidden items-center gap-3 text-[11px] text-muted sm:flex">
      {item("bg-emerald-500", "done")}
      {item("bg-rose-500", "failed")}
      {item("bg-sky-500", "running")}
      {item("bg-violet-500/40 ring-1 ring-inset ring-violet-500/60", "sleep")}
      {item("bg-amber-500/40 ring-1 ring-inset ring-amber-500/60", "wait")}
      {kept && item("border border-dashed border-zinc-400 bg-zinc-400/15", "kept")}
    </div>
  );
}
