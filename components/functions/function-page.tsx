"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Ban, ChevronRight, CirclePause, CirclePlay, Play } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { toast } from "sonner";

import { cancellationListDto } from "@/lib/contracts/cancellations";
import { functionDto, functionStatsDto, type FunctionDto, type StatsRange } from "@/lib/contracts/functions";

import { apiGet, apiSend, errorMessage, queryString } from "@/components/data/api";
import { usePollingFallback, useRealtime } from "@/components/realtime/realtime";
import { EMPTY_FILTERS, filtersFromParams, filtersToParams, type RunFilters } from "@/components/runs/filters";
import { RunsFilters } from "@/components/runs/runs-filters";
import { RunsList } from "@/components/runs/runs-list";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { CopyButton } from "@/components/ui/copy-button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { formatCount } from "@/components/ui/format";
import { JsonView } from "@/components/ui/json-view";
import { ErrorState, Panel, Skeleton } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";
import { Tooltip } from "@/components/ui/tooltip";

import { FunctionChart } from "./function-chart";
import { CancelRunsDialog, InvokeDialog } from "./function-dialogs";
import { ActiveBadge, PausedBadge } from "./function-bits";
import { ConfigList } from "./function-config";

/** `/functions/<id>`: configuration, activity chart, its runs (live) and the actions on it. */
export function FunctionPage({ id, initial }: { id: string; initial?: FunctionDto }) {
  const qc = useQueryClient();
  const key = useMemo(() => ["function", id] as const, [id]);
  const polling = usePollingFallback(10_000);
  const query = useQuery({
    queryKey: key,
    queryFn: () => apiGet(`/api/v1/functions/${encodeURIComponent(id)}`, functionDto),
    initialData: initial,
    refetchInterval: polling,
  });
  const onRegistry = useCallback(() => void qc.invalidateQueries({ queryKey: key }), [qc, key]);
  useRealtime(["functions"], onRegistry, 300);

  const [invokeOpen, setInvokeOpen] = useState(false);
  const [cancelOpen, setCancelOpen] = useState(false);
  const pause = useMutation({
    mutationFn: (paused: boolean) =>
      apiSend("POST", `/api/v1/functions/${encodeURIComponent(id)}/${paused ? "pause" : "resume"}`, functionDto),
    onSuccess: (fn) => {
      qc.setQueryData(key, fn);
      void qc.invalidateQueries({ queryKey: ["functions"] });
      toast.success(fn.paused ? "Function paused: new events start no runs" : "Function resumed");
    },
    onError: (e) => toast.error(errorMessage(e)),
  });

  const fn = query.data;
  if (query.isPending) return <Skeleton className="h-96 w-full rounded-xl" />;
  if (query.isError || !fn) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;

  return (
    <div className="space-y-5" data-testid="function-page" data-paused={fn.paused}>
      <div>
        <nav className="mb-3 flex items-center gap-1 text-xs text-muted" aria-label="Breadcrumb">
          <Link href="/functions" className="hover:text-fg">
            Functions
          </Link>
          <ChevronRight className="size-3" aria-hidden />
          <span className="font-mono text-fg">{fn.id}</span>
        </nav>
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="min-w-0">
            <div className="flex items-center gap-3">
              <h1 className="truncate text-xl font-semibold tracking-tight text-fg">{fn.name}</h1>
              {fn.paused ? <PausedBadge /> : <ActiveBadge />}
            </div>
            <div className="mt-1.5 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted">
              <span className="inline-flex items-center gap-1 font-mono">
                {fn.id}
                <CopyButton text={fn.id} label="Copy function ID" className="size-6" />
              </span>
              <span>
                {fn.appId ? (
                  <>
                    App <span className="text-fg">{fn.appId}</span>
                  </>
                ) : (
                  "HTTP function"
                )}
              </span>
              <span className="truncate font-mono" title={fn.url}>
                {fn.url}
              </span>
            </div>
          </div>
          <div className="flex items-center gap-2">
            <Button onClick={() => setCancelOpen(true)} data-testid="cancel-runs">
              <Ban /> Cancel runs
            </Button>
            {fn.paused ? (
              <Button onClick={() => pause.mutate(false)} disabled={pause.isPending} data-testid="resume-function">
                <CirclePlay /> Resume
              </Button>
            ) : (
              <ConfirmDialog
                trigger={
                  <Button data-testid="pause-function">
                    <CirclePause /> Pause
                  </Button>
                }
                title={`Pause ${fn.name}?`}
                description="While paused, matching events are still stored but start no runs. Runs already in flight carry on. Resume at any time."
                confirmLabel="Pause function"
                destructive={false}
                onConfirm={() => pause.mutateAsync(true)}
              />
            )}
            <Tooltip content={fn.paused ? "Resume the function to invoke it" : "Start a run now with a payload"}>
              <span>
                <Button variant="primary" onClick={() => setInvokeOpen(true)} disabled={fn.paused} data-testid="invoke">
                  <Play /> Invoke
                </Button>
              </span>
            </Tooltip>
          </div>
        </div>
      </div>
      {fn.paused && (
        <div className="rounded-lg bg-amber-500/5 px-3 py-2 text-[13px] text-amber-800 ring-1 ring-amber-500/25 ring-inset dark:text-amber-300">
          This function is paused: events are stored, but no new runs start until you resume it.
        </div>
      )}
      <div className="grid items-start gap-5 xl:grid-cols-[minmax(0,1.6fr)_minmax(0,1fr)]">
        <ActivityPanel id={fn.id} />
        <ConfigPanel fn={fn} />
      </div>
      <FunctionRuns fn={fn} />
      <CancellationsPanel id={fn.id} />
      <InvokeDialog fn={fn} open={invokeOpen} onOpenChange={setInvokeOpen} />
      <CancelRunsDialog fn={fn} open={cancelOpen} onOpenChange={setCancelOpen} />
    </div>
  );
}

function ActivityPanel({ id }: { id: string }) {
  const [range, setRange] = useState<StatsRange>("1h");
  const qc = useQueryClient();
  const key = useMemo(() => ["function-stats", id, range] as const, [id, range]);
  const stats = useQuery({
    queryKey: key,
    queryFn: () => apiGet(`/api/v1/functions/${encodeURIComponent(id)}/stats${queryString({ range })}`, functionStatsDto),
    refetchInterval: 30_000,
  });
  const onHints = useCallback(() => void qc.invalidateQueries({ queryKey: key }), [qc, key]);
  useRealtime([`function:${id}`], onHints, 2000);
  const t = stats.data?.totals;
  const rate = t && t.completed + t.failed > 0 ? (t.failed / (t.completed + t.failed)) * 100 : null;
  return (
    <Panel
      title="Activity"
      actions={
        <div className="inline-flex rounded-md border border-line p-0.5" role="tablist" aria-label="Range">
          {(["1h", "24h"] as const).map((r) => (
            <button
              key={r}
              type="button"
              role="tab"
              aria-selected={range === r}
              onClick={() => setRange(r)}
              className={cn(
                "h-6 rounded px-2 text-xs font-medium",
                range === r ? "bg-hover text-fg" : "text-muted hover:text-fg",
              )}
            >
              {r === "1h" ? "Last hour" : "Last day"}
            </button>
          ))}
        </div>
      }
    >
      <div className="grid grid-cols-4 divide-x divide-line border-b border-line">
        <Stat label="Runs" value={t ? formatCount(t.total) : "—"} />
        <Stat label="Failed" value={t ? formatCount(t.failed) : "—"} tone={t && t.failed > 0 ? "bad" : undefined} />
        <Stat
          label="Failure rate"
          value={rate === null ? "—" : `${rate > 0 && rate < 10 ? rate.toFixed(1) : Math.round(rate)}%`}
          tone={rate && rate > 5 ? "bad" : undefined}
        />
        <Stat label="In flight" value={t ? formatCount(t.active) : "—"} />
      </div>
      <div className="p-4">
        {stats.isPending ? (
          <Skeleton className="h-52 w-full" />
        ) : stats.isError ? (
          <ErrorState error={stats.error} />
        ) : (
          <FunctionChart stats={stats.data} />
        )}
        <p className="mt-2 text-[11px] text-faint">Runs started per {range === "1h" ? "minute" : "15 minutes"}, by outcome.</p>
      </div>
    </Panel>
  );
}

function Stat({ label, value, tone }: { label: string; value: string; tone?: "bad" }) {
  return (
    <div className="px-4 py-3">
      <div className="text-[11px] font-medium tracking-wide text-muted uppercase">{label}</div>
      <div
        className={cn("mt-1 text-lg font-semibold tabular-nums", tone === "bad" ? "text-rose-600 dark:text-rose-400" : "text-fg")}
      >
        {value}
      </div>
    </div>
  );
}

function ConfigPanel({ fn }: { fn: FunctionDto }) {
  return (
    <Panel title="Configuration">
      <ConfigList fn={fn} />
      <details className="border-t border-line px-4 py-2.5">
        <summary className="cursor-pointer text-xs text-muted select-none hover:text-fg">Raw configuration</summary>
        <JsonView value={{ triggers: fn.triggers, ...fn.config }} label="Config" className="mt-2" maxHeight="16rem" />
      </details>
    </Panel>
  );
}

function FunctionRuns({ fn }: { fn: FunctionDto }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = useMemo<RunFilters>(
    () => ({ ...filtersFromParams(new URLSearchParams(params.toString())), functionId: fn.id, appId: "" }),
    [params, fn.id],
  );
  const [searchError, setSearchError] = useState<string | null>(null);
  const setFilters = useCallback(
    (f: RunFilters) => router.replace(`${pathname}${filtersToParams({ ...f, functionId: "", appId: "" })}`, { scroll: false }),
    [router, pathname],
  );
  return (
    <section aria-labelledby="fn-runs">
      <h2 id="fn-runs" className="mb-3 text-[15px] font-semibold text-fg">
        Runs
      </h2>
      <RunsFilters filters={filters} onChange={setFilters} searchError={searchError} lockFunction />
      <RunsList filters={filters} onSearchError={setSearchError} onClearFilters={() => setFilters(EMPTY_FILTERS)} hideFunction />
    </section>
  );
}

function CancellationsPanel({ id }: { id: string }) {
  const list = useQuery({
    queryKey: ["cancellations", id],
    queryFn: () => apiGet(`/v1/cancellations${queryString({ function_id: id, limit: 10 })}`, cancellationListDto),
  });
  if (!list.data?.data.length) return null;
  return (
    <Panel title="Bulk cancellations">
      <ul className="divide-y divide-line text-[13px]" data-testid="cancellations">
        {list.data.data.map((c) => (
          <li key={c.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2.5">
            <span className="font-medium text-fg">
              {c.cancelled} {c.cancelled === 1 ? "run" : "runs"} cancelled
            </span>
            <span className="text-xs text-muted">
              queued {c.started_after ? new Date(c.started_after).toLocaleString() : "any time"} →{" "}
              {c.started_before ? new Date(c.started_before).toLocaleString() : "now"}
            </span>
            {c.if && <code className="font-mono text-xs text-muted">if {c.if}</code>}
            <span className="ml-auto text-xs text-faint">
              <RelativeTime iso={c.created_at} />
            </span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
