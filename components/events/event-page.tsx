"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronRight, Pencil, Play, RotateCw } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { toast } from "sonner";

import { eventDetailDto, sendEventResult, type EventDetail } from "@/lib/contracts/events";

import { apiGet, apiSend, errorMessage } from "@/components/data/api";
import { usePollingFallback, useRealtime, type Hint } from "@/components/realtime/realtime";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { CopyButton } from "@/components/ui/copy-button";
import { formatDuration, formatExact } from "@/components/ui/format";
import { JsonView } from "@/components/ui/json-view";
import { EmptyState, ErrorState, Panel, Skeleton } from "@/components/ui/states";
import { StatusBadge } from "@/components/ui/status-badge";
import { cellClass, rowClass, Table, Th, useRowNavigation } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/time";
import { Tooltip } from "@/components/ui/tooltip";

import { StatusReasonLine } from "@/components/runs/status-reason";

import { SendEventDialog } from "./send-event-dialog";

/** `/events/<id>`: the payload, the runs it started, resumed and cancelled (live), Replay and Edit & send. */
export function EventPage({ id, initial }: { id: string; initial?: EventDetail }) {
  const qc = useQueryClient();
  const router = useRouter();
  const key = useMemo(() => ["event", id] as const, [id]);
  const polling = usePollingFallback();
  const query = useQuery({
    queryKey: key,
    queryFn: () => apiGet(`/api/v1/events/${id}`, eventDetailDto),
    initialData: initial,
    refetchInterval: polling,
  });
  const [editOpen, setEditOpen] = useState(false);

  // Runs this event started change status; new ones can start late (debounce, batches).
  const onHints = useCallback(
    (hints: Hint[]) => {
      const detail = qc.getQueryData<EventDetail>(key);
      const mine = new Set([...(detail?.runs ?? []), ...(detail?.resumed ?? []), ...(detail?.cancelled ?? [])].map((r) => r.id));
      const recent = detail ? Date.now() - Date.parse(detail.event.receivedAt) < 10 * 60_000 : true;
      if (recent || hints.some((h) => !h.id || mine.has(h.id))) void qc.invalidateQueries({ queryKey: key });
    },
    [qc, key],
  );
  useRealtime(["runs"], onHints, 500);

  const replay = useMutation({
    mutationFn: () => apiSend("POST", `/api/v1/events/${id}/replay`, sendEventResult),
    onSuccess: (r) => {
      toast.success("Event replayed as a new event");
      const next = r.ids[0];
      if (next) router.push(`/events/${next}`);
    },
    onError: (e) => toast.error(`Could not replay: ${errorMessage(e)}`),
  });

  const detail = query.data;

  if (query.isPending)
    return (
      <div className="space-y-4">
        <Skeleton className="h-8 w-80" />
        <Skeleton className="h-64 w-full rounded-xl" />
      </div>
    );
  if (query.isError || !detail) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const { event, runs } = detail;
  const payload = {
    name: event.name,
    data: event.data,
    ...(event.user != null ? { user: event.user } : {}),
    ...(event.externalId ? { id: event.externalId } : {}),
    ts: event.ts,
    ...(event.v ? { v: event.v } : {}),
  };

  return (
    <div className="space-y-5" data-testid="event-page">
      <div>
        <nav className="mb-3 flex items-center gap-1 text-xs text-muted" aria-label="Breadcrumb">
          <Link href="/events" className="hover:text-fg">
            Events
          </Link>
          <ChevronRight className="size-3" aria-hidden />
          <span className="font-mono text-fg">{event.id}</span>
        </nav>
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="min-w-0">
            <h1
              className="truncate font-mono text-xl font-semibold tracking-tight text-fg"
              title={event.name}
              data-testid="event-name"
            >
              {event.name}
            </h1>
            <div className="mt-1.5 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted">
              <span className="inline-flex items-center gap-1 font-mono">
                {event.id}
                <CopyButton text={event.id} label="Copy event ID" className="size-6" />
              </span>
              <span>
                Received <RelativeTime iso={event.receivedAt} />
              </span>
              {event.externalId && (
                <span>
                  Sender ID <span className="font-mono text-fg">{event.externalId}</span>
                </span>
              )}
            </div>
          </div>
          <div className="flex items-center gap-2">
            <Tooltip content="Open the payload in the editor, change it and send it as a new event">
              <Button onClick={() => setEditOpen(true)} data-testid="edit-and-send">
                <Pencil /> Edit &amp; send
              </Button>
            </Tooltip>
            <Tooltip content="Send this exact event again as a new event (new ID, same name and data)">
              <Button variant="primary" onClick={() => replay.mutate()} disabled={replay.isPending} data-testid="replay">
                <RotateCw /> Replay
              </Button>
            </Tooltip>
          </div>
        </div>
      </div>
      <div className="grid items-start gap-5 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <Panel title="Payload">
          <div className="p-4">
            <JsonView value={payload} label="Event" maxHeight="36rem" />
            <p className="mt-2 text-xs text-faint">Sender timestamp: {formatExact(new Date(event.ts).toISOString())}</p>
          </div>
        </Panel>
        <div className="min-w-0 space-y-5">
          <Panel title={`Runs started (${runs.length})`} className="overflow-hidden">
            {runs.length === 0 && (detail.resumed.length > 0 || detail.cancelled.length > 0) ? (
              <p className="px-4 py-4 text-[13px] text-muted" data-testid="no-runs-started">
                No function&apos;s trigger matches <span className="font-mono text-fg">{event.name}</span>: it{" "}
                {detail.resumed.length > 0 ? "resumed" : "cancelled"} the runs below.
              </p>
            ) : runs.length === 0 ? (
              <EmptyState icon={Play} title="No runs" className="py-10">
                No function&apos;s trigger matches <span className="font-mono">{event.name}</span>
                {event.name.startsWith("inngest/")
                  ? " (an event the engine emits)."
                  : ", or the functions it matches are paused."}
              </EmptyState>
            ) : (
              <EventRunsTable label="Runs started by this event" runs={runs} testId="event-runs" />
            )}
          </Panel>
          {detail.resumed.length > 0 && (
            <Panel title={`Runs resumed (${detail.resumed.length})`} className="overflow-hidden">
              <EventRunsTable label="Runs this event resumed" runs={detail.resumed} testId="event-resumed-runs" />
            </Panel>
          )}
          {detail.cancelled.length > 0 && (
            <Panel title={`Runs cancelled (${detail.cancelled.length})`} className="overflow-hidden">
              <EventRunsTable label="Runs this event cancelled" runs={detail.cancelled} testId="event-cancelled-runs" />
            </Panel>
          )}
        </div>
      </div>
      <SendEventDialog
        open={editOpen}
        onOpenChange={setEditOpen}
        initial={{ name: event.name, data: event.data, ...(event.user != null ? { user: event.user } : {}) }}
        title="Edit & send event"
      />
    </div>
  );
}

type EventRun = EventDetail["runs"][number] & { stepName?: string | null; stepId?: string };

/** Runs linked to the event (started, resumed or cancelled): a row opens the run. */
function EventRunsTable({ runs, label, testId }: { runs: EventRun[]; label: string; testId: string }) {
  const hrefs = useMemo(() => runs.map((r) => `/runs/${r.id}`), [runs]);
  const { bodyProps, rowProps } = useRowNavigation(hrefs);
  return (
    <Table label={label} className="rounded-none border-0 shadow-none" minWidth="min-w-0">
      <colgroup>
        <col className="w-[128px]" />
        <col />
        <col className="w-[90px]" />
        <col className="w-[90px]" />
      </colgroup>
      <thead>
        <tr>
          <Th>Status</Th>
          <Th>Function</Th>
          <Th>Queued</Th>
          <Th className="text-right">Took</Th>
        </tr>
      </thead>
      <tbody {...bodyProps} data-testid={testId}>
        {runs.map((r, i) => (
          <tr key={`${r.id}:${r.stepId ?? ""}`} {...rowProps(i)} data-run-id={r.id} className={rowClass}>
            <td className={cellClass}>
              <StatusBadge status={r.status} />
            </td>
            <td className={cn(cellClass, "truncate")}>
              <Link href={`/runs/${r.id}`} className="font-medium text-fg hover:underline" tabIndex={-1}>
                {r.functionName ?? r.functionId}
              </Link>
              {r.stepId !== undefined ? (
                <div className="truncate text-xs text-muted" title={r.id}>
                  in step <span className="font-mono text-fg">{r.stepName ?? r.stepId}</span>
                </div>
              ) : r.statusReason ? (
                <StatusReasonLine reason={r.statusReason} />
              ) : (
                <div className="truncate font-mono text-[11px] text-faint" title={r.id}>
                  {r.id}
                </div>
              )}
            </td>
            <td className={cn(cellClass, "text-muted")}>
              <RelativeTime iso={r.queuedAt} />
            </td>
            <td className={cn(cellClass, "text-right font-mono text-xs text-muted")}>
              {r.endedAt ? formatDuration(Date.parse(r.endedAt) - Date.parse(r.queuedAt)) : "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
