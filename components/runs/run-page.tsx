"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Ban,
  ChevronRight,
  Clock3,
  CornerUpLeft,
  History,
  Hourglass,
  Info,
  PhoneForwarded,
  RotateCcw,
  Send,
  SkipForward,
  SquareFunction,
  XCircle,
  Zap,
} from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState, type ReactNode } from "react";
import { toast } from "sonner";
import { z } from "zod";

import { rerunResult, runDetailDto, type RunDetail, type StepDto } from "@/lib/contracts/runs";

import { apiGet, apiSend, errorMessage } from "@/components/data/api";
import { SendEventDialog } from "@/components/events/send-event-dialog";
import { usePollingFallback, useRealtime } from "@/components/realtime/realtime";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { CopyButton } from "@/components/ui/copy-button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { formatDuration, formatExact } from "@/components/ui/format";
import { ErrorView, JsonView } from "@/components/ui/json-view";
import { ErrorState, Panel, Skeleton } from "@/components/ui/states";
import { StatusBadge } from "@/components/ui/status-badge";
import { RelativeTime } from "@/components/ui/time";
import { Tooltip } from "@/components/ui/tooltip";
import { useNow } from "@/components/ui/use-now";

import { RunTimeline } from "./run-timeline";
import { Trigger } from "./runs-table";
import { parseStatusReason } from "./status-reason";
import { SubStateBadge } from "./sub-state-badge";
import { opLabel, stepLabel } from "./timeline-model";
import { matchingData } from "./wait-match";

/** `/runs/<id>`: the run, its timeline and steps, trigger events and output; live while in flight. */
const TERMINAL = ["Completed", "Failed", "Cancelled", "Skipped"];
const WAITS = ["Sleep", "WaitForEvent", "WaitForSignal", "InvokeFunction"];

export function RunPage({ id, initial }: { id: string; initial?: RunDetail }) {
  const qc = useQueryClient();
  const key = useMemo(() => ["run", id] as const, [id]);
  const polling = usePollingFallback(2000);
  const query = useQuery({
    queryKey: key,
    queryFn: () => apiGet(`/api/v1/runs/${id}`, runDetailDto),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && TERMINAL.includes(q.state.data.run.status) ? false : polling),
  });
  const onHints = useCallback(() => void qc.invalidateQueries({ queryKey: key }), [qc, key]);
  useRealtime([`run:${id}`], onHints, 200);

  const detail = query.data;
  const live = !!detail && !TERMINAL.includes(detail.run.status);
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
          {detail.steps.length === 0 && detail.pending.length === 0 && TERMINAL.includes(detail.run.status) ? (
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

/** A skipped run never ran: instead of an empty timeline, the rule that decided it and what to do. */
function SkippedPanel({ detail }: { detail: RunDetail }) {
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

/** Why the run is (or was) where it is: the flow-control rule named, then its detail. */
function ReasonBanner({
  status,
  reason,
  cancelledBy,
}: {
  status: string;
  reason: string;
  /** the event whose cancelOn matched: named and linked instead of the reason's text */
  cancelledBy?: RunDetail["run"]["cancelledBy"];
}) {
  const parts = parseStatusReason(reason);
  const lead = status === "Queued" ? "Waiting to start" : status === "Cancelled" ? "Cancelled" : "Note";
  const Icon = status === "Queued" ? Clock3 : status === "Cancelled" ? Ban : Info;
  return (
    <div
      className={cn(
        "mt-3 flex items-start gap-2 rounded-lg px-3 py-2 text-[13px] ring-1 ring-inset",
        status === "Queued"
          ? "bg-sky-500/5 text-sky-800 ring-sky-500/20 dark:text-sky-300"
          : "bg-amber-500/5 text-amber-800 ring-amber-500/25 dark:text-amber-300",
      )}
      data-testid="status-reason"
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      {cancelledBy ? (
        <div className="flex min-w-0 items-center gap-1.5" data-testid="cancelled-by">
          <span className="font-semibold">Cancelled by event</span>
          <EventLink event={cancelledBy} testId="cancelled-by-link" />
          <span className="text-xs opacity-80">(cancelOn)</span>
        </div>
      ) : (
        <div className="min-w-0">
          <span className="font-semibold">{lead}</span>
          {parts.map((p, i) => (
            <span key={i}>
              {i === 0 ? " — " : "; "}
              {p.rule && <span className="font-medium">{p.rule}: </span>}
              {p.detail}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

/** A line under the run header saying what the run waits on; `trailing` sits at the right. */
const BANNER_TONES = {
  sleep: "bg-violet-500/5 text-violet-800 ring-violet-500/25 dark:text-violet-300",
  wait: "bg-amber-500/5 text-amber-800 ring-amber-500/25 dark:text-amber-300",
} as const;

function HeaderBanner({
  tone,
  icon: Icon,
  testId,
  trailing,
  children,
}: {
  tone: keyof typeof BANNER_TONES;
  icon: typeof Clock3;
  testId: string;
  trailing?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div
      className={`mt-3 flex flex-wrap items-center gap-x-2 gap-y-1 rounded-lg px-3 py-2 text-[13px] ring-1 ring-inset ${BANNER_TONES[tone]}`}
      data-testid={testId}
    >
      <Icon className="size-4" aria-hidden />
      {children}
      {trailing && <span className="ml-auto flex items-center gap-3 text-xs">{trailing}</span>}
    </div>
  );
}

/**
 * A run waiting in step.waitForEvent: what it waits for, and a button that opens the Send event
 * dialog prefilled with a matching event (fields the `if` compares with the trigger event are
 * copied from it).
 */
function WaitBanner({ wait, detail }: { wait: RunDetail["waits"][number]; detail: RunDetail }) {
  const [open, setOpen] = useState(false);
  const initial = useMemo(
    () => ({ name: wait.eventName, data: matchingData(wait.expression, detail.events[0]?.data ?? {}) }),
    [wait.eventName, wait.expression, detail.events],
  );
  return (
    <HeaderBanner
      tone="wait"
      icon={Hourglass}
      testId="wait-banner"
      trailing={
        <>
          {wait.expiresAt && (
            <span>
              times out <RelativeTime iso={wait.expiresAt} />
            </span>
          )}
          <Button size="sm" onClick={() => setOpen(true)} data-testid="send-awaited-event">
            <Send /> Send {wait.eventName}
          </Button>
        </>
      }
    >
      Waiting for <span className="font-mono">{wait.eventName}</span>
      {wait.expression && <span className="font-mono text-xs opacity-80">if {wait.expression}</span>}
      <SendEventDialog open={open} onOpenChange={setOpen} initial={initial} title={`Send ${wait.eventName}`} />
    </HeaderBanner>
  );
}

function RunHeader({ detail, now }: { detail: RunDetail; now: number }) {
  const { run } = detail;
  const qc = useQueryClient();
  const router = useRouter();
  const started = run.startedAt ? Date.parse(run.startedAt) : null;
  const duration = started === null ? null : (run.endedAt ? Date.parse(run.endedAt) : now) - started;
  // Calls to the app: step attempts and function-level errors; sleeps and waits are not attempts.
  const inFlight = detail.pending.filter((p) => p.state === "running").length;
  const attempts = detail.steps.filter((s) => !WAITS.includes(s.op)).length + inFlight;
  const retries = detail.steps.filter((s) => s.status === "Errored").length;
  const active = !TERMINAL.includes(run.status);

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
      {active &&
        detail.steps
          .filter((st) => st.op === "Sleep" && st.status === "Sleeping")
          .map((st) => (
            <HeaderBanner
              key={st.id}
              tone="sleep"
              icon={Clock3}
              testId="sleep-banner"
              trailing={
                st.wakeAt && (
                  <span>
                    wakes <RelativeTime iso={st.wakeAt} />
                  </span>
                )
              }
            >
              Sleeping in <span className="font-mono">{stepLabel(st)}</span>
            </HeaderBanner>
          ))}
      {active && detail.waits.filter((w) => w.kind === "wait").map((w) => <WaitBanner key={w.id} wait={w} detail={detail} />)}
      {active &&
        detail.waits
          .filter((w) => w.kind === "signal")
          .map((w) => (
            <HeaderBanner
              key={w.id}
              tone="wait"
              icon={Hourglass}
              testId="signal-banner"
              trailing={
                w.expiresAt && (
                  <span>
                    times out <RelativeTime iso={w.expiresAt} />
                  </span>
                )
              }
            >
              Waiting for signal <span className="font-mono">{w.signal}</span>
            </HeaderBanner>
          ))}
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
            <span className="text-muted">{TERMINAL.includes(run.status) ? "never" : "not yet"}</span>
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

/** An event that resumed or cancelled the run: its name, linking to its page, the id on hover. */
function EventLink({ event, testId }: { event: { id: string; name: string | null }; testId: string }) {
  return (
    <Tooltip content={<span className="font-mono">{event.id}</span>}>
      <Link href={`/events/${event.id}`} className="truncate font-mono text-accent hover:underline" data-testid={testId}>
        {event.name ?? event.id}
      </Link>
    </Tooltip>
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

function StepPanel({ detail, attempts, now }: { detail: RunDetail; attempts: StepDto[]; now: number }) {
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
          {TERMINAL.includes(detail.run.status)
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

function OutputPanel({ detail }: { detail: RunDetail }) {
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

function EventsPanel({ detail }: { detail: RunDetail }) {
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

function RunSkeleton() {
  return (
    <div className="space-y-5" aria-busy>
      <Skeleton className="h-4 w-64" />
      <Skeleton className="h-8 w-96" />
      <Skeleton className="h-16 w-full rounded-xl" />
      <div className="grid gap-5 xl:grid-cols-2">
        <Skeleton className="h-72 rounded-xl" />
        <Skeleton className="h-72 rounded-xl" />
      </div>
    </div>
  );
}
