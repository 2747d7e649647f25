"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ChevronRight, CornerUpLeft, PhoneForwarded, RotateCcw, XCircle } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { toast } from "sonner";
import { z } from "zod";

import { rerunResult, type RunDetail } from "@/lib/contracts/runs";

import { apiSend, errorMessage } from "@/components/data/api";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { formatDuration } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { Tooltip } from "@/components/ui/tooltip";

import { ReasonBanner, WaitingBanners } from "./run-banners";
import { isTerminal } from "./run-status";
import { Trigger } from "./runs-table";
import { SubStateBadge } from "./sub-state-badge";

/** Calls to the app are attempts; sleeps and waits are not. */
const WAITS = ["Sleep", "WaitForEvent", "WaitForSignal", "InvokeFunction"];

/** The run page's top: status, function, actions (cancel, rerun), why it waits, and its key figures. */
export function RunHeader({ detail, now }: { detail: RunDetail; now: number }) {
  const { run } = detail;
  const qc = useQueryClient();
  const router = useRouter();
  const started = run.startedAt ? Date.parse(run.startedAt) : null;
  const duration = started === null ? null : (run.endedAt ? Date.parse(run.endedAt) : now) - started;
  // Calls to the app: step attempts and function-level errors; sleeps and waits are not attempts.
  const inFlight = detail.pending.filter((p) => p.state === "running").length;
  const attempts = detail.steps.filter((s) => !WAITS.includes(s.op)).length + inFlight;
  const retries = detail.steps.filter((s) => s.status === "Errored").length;
  const active = !isTerminal(run.status);

  const cancel = () =>
    apiSend("POST", `/api/v1/runs/${run.id}/cancel`, z.unknown())
      .then(() => {
        toast.success("Run cancelled");
        void qc.invalidateQueries({ queryKey: ["run", run.id] });
      })
      .catch((e: unknown) => {
        toast.error(`Could not cancel: ${errorMessage(e)}`);
        throw e;
      });
  const rerun = useMutation({
    mutationFn: () => apiSend("POST", `/api/v1/runs/${run.id}/rerun`, rerunResult, {}),
    onSuccess: (r) => {
      toast.success("Rerun started", { description: r.id });
      router.push(`/runs/${r.id}`);
    },
    onError: (e) => toast.error(`Could not rerun: ${errorMessage(e)}`),
  });

  return (
    <div>
      <nav className="mb-3 flex items-center gap-1 text-xs text-muted" aria-label="Breadcrumb">
        <Link href="/runs" className="hover:text-fg">
          Runs
        </Link>
        <ChevronRight className="size-3" aria-hidden />
        <span className="font-mono text-fg">{run.id}</span>
      </nav>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-3">
            <StatusBadge status={run.status} className="h-6 text-[13px]" />
            {run.subState && <SubStateBadge subState={run.subState} className="h-6 px-2 text-xs" />}
            <h1 className="truncate text-xl font-semibold tracking-tight text-fg">
              <Link href={`/functions/${encodeURIComponent(run.functionId)}`} className="hover:underline">
                {run.functionName ?? run.functionId}
              </Link>
            </h1>
          </div>
          <div className="mt-1.5 flex items-center gap-1 font-mono text-xs text-muted">
            <span data-testid="run-id">{run.id}</span>
            <CopyButton text={run.id} label="Copy run ID" className="size-6" />
          </div>
        </div>
        <div className="flex items-center gap-2">
          {active && (
            <ConfirmDialog
              trigger={
                <Button data-testid="cancel-run">
                  <XCircle /> Cancel
                </Button>
              }
              title="Cancel this run?"
              description="Nothing more of it will run: a call in flight finishes, but its result is ignored and no step is called again. Sleeps and waits end now."
              confirmLabel="Cancel run"
              onConfirm={cancel}
            />
          )}
          <Tooltip content="Start a new run of this function with the same event(s)">
            <Button
              variant="primary"
              onClick={() => rerun.mutate()}
              disabled={rerun.isPending || detail.function?.paused}
              data-testid="rerun"
            >
              <RotateCcw /> Rerun
            </Button>
          </Tooltip>
        </div>
      </div>
      {run.originRunId && (
        <div
          className="mt-3 inline-flex items-center gap-1.5 rounded-md bg-sunken px-2.5 py-1 text-xs text-muted ring-1 ring-line"
          data-testid="origin"
        >
          <CornerUpLeft className="size-3.5" aria-hidden />
          Rerun of
          <Link href={`/runs/${run.originRunId}`} className="font-mono text-accent hover:underline" data-testid="origin-link">
            {run.originRunId}
          </Link>
          {run.originStepId && (
            <>
              from step{" "}
              <span className="font-mono text-fg" title={run.originStepId}>
                {originStepName(detail)}
              </span>
            </>
          )}
        </div>
      )}
      {run.invocation && (
        <div
          className="mt-3 ml-0 inline-flex items-center gap-1.5 rounded-md bg-sunken px-2.5 py-1 text-xs text-muted ring-1 ring-line"
          data-testid="invoked-by"
        >
          <PhoneForwarded className="size-3.5" aria-hidden />
          Invoked by step.invoke in
          <Link href={`/runs/${run.invocation.parentRunId}`} className="font-mono text-accent hover:underline">
            {run.invocation.parentRunId}
          </Link>
        </div>
      )}
      {run.statusReason && run.status !== "Skipped" && (
        <ReasonBanner status={run.status} reason={run.statusReason} cancelledBy={run.cancelledBy} />
      )}
      {active && <WaitingBanners detail={detail} />}
      <dl className="mt-4 grid grid-cols-2 gap-px overflow-hidden rounded-xl border border-line bg-line sm:grid-cols-3 lg:grid-cols-[1.7fr_1fr_1fr_1.2fr_1fr_1.2fr]">
        <Meta label="Trigger">
          <span className="flex min-w-0 items-center gap-1.5">
            <Trigger run={run} />
            {run.eventIds.length > 1 && (
              <span className="shrink-0 text-xs text-muted" data-testid="batch-size">
                batch of {run.eventIds.length}
              </span>
            )}
          </span>
        </Meta>
        <Meta label="App">{run.appId ?? <span className="text-muted">HTTP function</span>}</Meta>
        <Meta label="Queued">
          <RelativeTime iso={run.queuedAt} />
        </Meta>
        <Meta label="Started">
          {run.startedAt ? (
            <span>
              <RelativeTime iso={run.startedAt} />
              <span className="ml-1 text-xs text-faint">
                after {formatDuration(Date.parse(run.startedAt) - Date.parse(run.queuedAt))}
              </span>
            </span>
          ) : (
            <span className="text-muted">{isTerminal(run.status) ? "never" : "not yet"}</span>
          )}
        </Meta>
        <Meta label={run.endedAt ? "Duration" : "Running for"}>
          <span className="font-mono tabular-nums" data-testid="run-duration" suppressHydrationWarning>
            {formatDuration(duration)}
          </span>
        </Meta>
        <Meta label="Attempts">
          <Tooltip
            content={detail.function ? `Each step may take up to ${detail.function.maxAttempts} attempts` : "Attempts made"}
          >
            <span data-testid="attempts" tabIndex={0}>
              {attempts || "—"}
              {retries > 0 && (
                <span className="text-xs text-rose-600 dark:text-rose-400">
                  <span className="mx-1.5 text-faint">·</span>
                  {retries} {retries === 1 ? "retry" : "retries"}
                </span>
              )}
            </span>
          </Tooltip>
        </Meta>
      </dl>
    </div>
  );
}

/** The step a rerun started from, by name (its hashed id when the original run is gone). */
function originStepName(detail: RunDetail): string {
  const id = detail.run.originStepId as string;
  return detail.run.originStepName ?? (id.length > 16 ? `${id.slice(0, 12)}…` : id);
}

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0 bg-panel px-4 py-3">
      <dt className="text-[11px] font-medium tracking-wide text-muted uppercase">{label}</dt>
      <dd className="mt-1 truncate text-[13px] text-fg">{children}</dd>
    </div>
  );
}
