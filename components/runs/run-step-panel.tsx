"use client";

import { useMutation } from "@tanstack/react-query";
import { History, RotateCcw, Zap } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";

import { rerunResult, type RunDetail, type StepDto } from "@/lib/contracts/runs";

import { apiSend, errorMessage } from "@/components/data/api";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { formatDuration, formatExact } from "@/components/ui/format";
import { ErrorView, JsonView } from "@/components/ui/json-view";
import { Panel } from "@/components/ui/states";
import { StatusBadge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { Tooltip } from "@/components/ui/tooltip";

import { EventLink } from "./event-link";
import { isTerminal } from "./run-status";
import { opLabel, stepLabel } from "./timeline-model";

/** The step chosen on the timeline: its attempts, timing, input, output or error, and "rerun from here". */
export function StepPanel({ detail, attempts, now }: { detail: RunDetail; attempts: StepDto[]; now: number }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const router = useRouter();
  const step = attempts.find((a) => a.id === chosen) ?? attempts[attempts.length - 1];
  const rerun = useMutation({
    mutationFn: (fromStepId: string) => apiSend("POST", `/api/v1/runs/${detail.run.id}/rerun`, rerunResult, { fromStepId }),
    onSuccess: (r) => {
      toast.success(`Rerun started from this step`, {
        description: `${r.memoized} earlier step result${r.memoized === 1 ? "" : "s"} kept`,
      });
      router.push(`/runs/${r.id}`);
    },
    onError: (e) => toast.error(`Could not rerun: ${errorMessage(e)}`),
  });
  if (!step) {
    const calling = detail.pending.find((p) => p.state === "running");
    return (
      <Panel title="Step">
        <p className="px-4 py-6 text-[13px] text-muted" suppressHydrationWarning>
          {isTerminal(detail.run.status)
            ? "No steps ran."
            : calling?.leasedAt
              ? `Calling the app now (attempt ${calling.attempt + 1}), for ${formatDuration(now - Date.parse(calling.leasedAt))} so far…`
              : "Queued: waiting for a worker to call the app…"}
        </p>
      </Panel>
    );
  }
  const end = step.endedAt ? Date.parse(step.endedAt) : now;
  const open = !step.endedAt;
  // A step still waiting is described by when it ends, not by how long it has taken so far.
  const timeoutAt = step.wakeAt ?? detail.waits.find((w) => w.kind === "wait")?.expiresAt ?? null;
  const timing =
    open && step.op === "Sleep" && step.wakeAt
      ? { label: "Wakes", at: step.wakeAt }
      : open && (step.op === "WaitForEvent" || step.op === "WaitForSignal") && timeoutAt
        ? { label: "Times out", at: timeoutAt }
        : { label: open ? "For" : "Took", at: null };
  return (
    <Panel
      title={
        <span className="flex items-center gap-2">
          <span className="truncate" data-testid="selected-step">
            {stepLabel(step)}
          </span>
          <StatusBadge status={step.status} compact />
        </span>
      }
      actions={
        step.op !== "Execution" && (
          <Tooltip content="Start a new run that keeps the results of the steps before this one and executes again from this step">
            <Button
              size="sm"
              onClick={() => rerun.mutate(step.id)}
              disabled={rerun.isPending || detail.function?.paused}
              data-testid="rerun-from-step"
            >
              <RotateCcw /> Rerun from this step
            </Button>
          </Tooltip>
        )
      }
    >
      <div className="space-y-4 p-4" data-testid="step-panel" data-step-status={step.status}>
        {step.fromOrigin && (
          <p
            className="flex items-start gap-2 rounded-md bg-sunken px-3 py-2 text-[13px] text-muted ring-1 ring-line ring-inset"
            data-testid="kept-note"
          >
            <History className="mt-0.5 size-4 shrink-0" aria-hidden />
            <span>
              Kept from{" "}
              {detail.run.originRunId ? (
                <Link href={`/runs/${detail.run.originRunId}`} className="font-mono text-xs text-accent hover:underline">
                  {detail.run.originRunId}
                </Link>
              ) : (
                "the original run"
              )}
              : this rerun was given the step&apos;s result and did not execute it again.
            </span>
          </p>
        )}
        {attempts.length > 1 && (
          <div className="flex flex-wrap gap-1.5" role="tablist" aria-label="Attempts">
            {attempts.map((a, i) => (
              <button
                key={a.id}
                type="button"
                role="tab"
                aria-selected={a.id === step.id}
                onClick={() => setChosen(a.id)}
                className={cn(
                  "inline-flex h-7 items-center gap-1.5 rounded-md px-2.5 text-xs font-medium ring-1 ring-line ring-inset",
                  a.id === step.id ? "bg-accent-soft text-fg ring-accent/40" : "text-muted hover:bg-hover",
                )}
              >
                <span
                  className={cn(
                    "size-1.5 rounded-full",
                    a.status === "Completed"
                      ? "bg-emerald-500"
                      : a.status === "Errored" || a.status === "Failed"
                        ? "bg-rose-500"
                        : "bg-zinc-400",
                  )}
                />
                Attempt {i + 1}
              </button>
            ))}
          </div>
        )}
        <dl className="grid grid-cols-3 gap-3 text-[13px]">
          <div>
            <dt className="text-[11px] text-muted uppercase">Started</dt>
            <dd className="mt-0.5 font-mono text-xs" title={formatExact(step.startedAt)}>
              <RelativeTime iso={step.startedAt} />
            </dd>
          </div>
          <div>
            <dt className="text-[11px] text-muted uppercase">{timing.label}</dt>
            <dd className="mt-0.5 font-mono text-xs" suppressHydrationWarning>
              {timing.at ? <RelativeTime iso={timing.at} /> : formatDuration(end - Date.parse(step.startedAt))}
            </dd>
          </div>
          <div>
            <dt className="text-[11px] text-muted uppercase">Kind</dt>
            <dd className="mt-0.5 font-mono text-xs">{opLabel(step.op)}</dd>
          </div>
        </dl>
        {step.resolvedBy && (
          <p
            className="flex min-w-0 items-center gap-1.5 rounded-md bg-sunken px-3 py-2 text-[13px] text-muted ring-1 ring-line ring-inset"
            data-testid="resumed-by"
          >
            <Zap className="size-4 shrink-0 text-amber-500" aria-hidden />
            {step.op === "InvokeFunction" ? "Resumed when the invoked run finished:" : "Resumed by event"}
            <EventLink event={step.resolvedBy} testId="resumed-by-link" />
          </p>
        )}
        {step.error !== null && step.error !== undefined && <ErrorView error={step.error} />}
        {step.output !== null && step.output !== undefined && <JsonView value={step.output} label="Output" />}
        {step.input !== null && step.input !== undefined && <JsonView value={step.input} label="Input" maxHeight="14rem" />}
        {step.output == null && step.error == null && step.input == null && (
          <p className="text-[13px] text-muted">{step.endedAt ? "This step returned nothing." : "No result yet."}</p>
        )}
      </div>
    </Panel>
  );
}
