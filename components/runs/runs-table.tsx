"use client";

import { CalendarClock, PhoneForwarded, RotateCcw, Zap } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";

import type { RunListItem } from "@/lib/contracts/runs";

import { cn } from "@/components/ui/cn";
import { formatDuration } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { cellClass, rowClass, Table, Th, useRowNavigation } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/time";
import { Tooltip } from "@/components/ui/tooltip";
import { useNow } from "@/components/ui/use-now";
import { Skeleton } from "@/components/ui/states";

import { StatusReasonLine } from "./status-reason";
import { SubStateBadge } from "./sub-state-badge";

/** Runs as a table: status, function, trigger, run id, started, duration. Fixed row height: live rows never reflow. */
export function RunsTable({
  rows,
  fresh,
  hideFunction,
  narrowId,
  footer,
}: {
  rows: RunListItem[];
  fresh?: ReadonlySet<string>;
  hideFunction?: boolean;
  /** hide the run id column between the xl and 2xl breakpoints (a panel takes the room) */
  narrowId?: boolean;
  footer?: React.ReactNode;
}) {
  const hrefs = useMemo(() => rows.map((r) => `/runs/${r.id}`), [rows]);
  const { bodyProps, rowProps } = useRowNavigation(hrefs);
  const anyRunning = rows.some((r) => r.status === "Running" || r.status === "Queued");
  const now = useNow(1000, anyRunning);
  return (
    <Table label="Runs">
      <colgroup>
        <col className="w-[132px]" />
        {!hideFunction && <col />}
        <col />
        <col className={cn("w-[236px]", narrowId && "xl:hidden 2xl:table-column")} />
        <col className="w-[112px]" />
        <col className="w-[96px]" />
      </colgroup>
      <thead>
        <tr>
          <Th>Status</Th>
          {!hideFunction && <Th>Function</Th>}
          <Th>Trigger</Th>
          <Th className={cn(narrowId && "xl:hidden 2xl:table-cell")}>Run ID</Th>
          <Th>Queued</Th>
          <Th className="text-right">Duration</Th>
        </tr>
      </thead>
      <tbody {...bodyProps} data-testid="runs-body">
        {rows.map((run, i) => (
          <tr
            key={run.id}
            {...rowProps(i)}
            data-run-id={run.id}
            data-function-id={run.functionId}
            data-status={run.status}
            className={cn(rowClass, fresh?.has(run.id) && "animate-row-in")}
          >
            <td className={cellClass}>
              <StatusBadge status={run.status} />
            </td>
            {!hideFunction && (
              <td className={cn(cellClass, "truncate")}>
                <div className="truncate font-medium text-fg" title={run.functionId}>
                  {run.functionName ?? run.functionId}
                </div>
                {run.subState ? (
                  <div className="flex min-w-0">
                    <SubStateBadge subState={run.subState} />
                  </div>
                ) : run.statusReason ? (
                  <StatusReasonLine reason={run.statusReason} />
                ) : (
                  <div
                    className="truncate font-mono text-[11px] text-faint"
                    title={run.appId ? `${run.appId} · ${run.functionId}` : run.functionId}
                  >
                    {run.appId ? `${run.appId} · ${run.functionId}` : run.functionId}
                  </div>
                )}
              </td>
            )}
            <td className={cn(cellClass, "truncate")}>
              <Trigger run={run} />
              {hideFunction &&
                (run.subState ? (
                  <div className="mt-0.5 flex min-w-0">
                    <SubStateBadge subState={run.subState} />
                  </div>
                ) : (
                  run.statusReason && <StatusReasonLine reason={run.statusReason} className="mt-0.5" />
                ))}
            </td>
            <td className={cn(cellClass, "truncate", narrowId && "xl:hidden 2xl:table-cell")}>
              <Link
                href={`/runs/${run.id}`}
                className="font-mono text-xs text-muted hover:text-accent hover:underline"
                title={run.id}
                tabIndex={-1}
              >
                {run.id}
              </Link>
            </td>
            <td className={cn(cellClass, "text-muted")}>
              <RelativeTime iso={run.queuedAt} />
            </td>
            <td className={cn(cellClass, "text-right font-mono text-xs text-muted tabular-nums")} suppressHydrationWarning>
              {duration(run, now)}
            </td>
          </tr>
        ))}
      </tbody>
      {footer}
    </Table>
  );
}

function duration(run: RunListItem, now: number): string {
  if (!run.startedAt) return run.endedAt ? "—" : "";
  const start = Date.parse(run.startedAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : now;
  return formatDuration(end - start);
}

export function Trigger({ run }: { run: Pick<RunListItem, "trigger" | "cron" | "originRunId"> }) {
  const pill =
    "inline-flex max-w-full items-center gap-1.5 truncate rounded-md bg-sunken px-1.5 py-0.5 font-mono text-xs text-fg ring-1 ring-line ring-inset";
  return (
    <div className="flex min-w-0 items-center gap-1.5">
      {run.trigger === "cron" ? (
        <span className={pill} title={run.cron ?? "cron"}>
          <CalendarClock className="size-3 shrink-0 text-muted" aria-hidden />
          <span className="truncate">{run.cron ?? "cron"}</span>
        </span>
      ) : run.trigger === "invoke" ? (
        <span className={pill}>
          <PhoneForwarded className="size-3 shrink-0 text-muted" aria-hidden />
          invoked
        </span>
      ) : (
        <span className={pill} title={run.trigger}>
          <Zap className="size-3 shrink-0 text-amber-500" aria-hidden />
          <span className="truncate">{run.trigger}</span>
        </span>
      )}
      {run.originRunId && (
        <Tooltip content={`Rerun of ${run.originRunId}`}>
          <span tabIndex={-1} className="inline-flex shrink-0 items-center gap-0.5 text-[11px] text-faint">
            <RotateCcw className="size-3" aria-hidden />
            rerun
          </span>
        </Tooltip>
      )}
    </div>
  );
}

export function RunsTableSkeleton({ rows = 8, hideFunction }: { rows?: number; hideFunction?: boolean }) {
  return (
    <Table label="Loading runs">
      <tbody>
        {Array.from({ length: rows }, (_, i) => (
          <tr key={i} className="h-11 border-b border-line last:border-b-0">
            <td className={cn(cellClass, "w-[132px]")}>
              <Skeleton className="h-5 w-24 rounded-full" />
            </td>
            {!hideFunction && (
              <td className={cellClass}>
                <Skeleton className="h-3.5 w-40" />
              </td>
            )}
            <td className={cellClass}>
              <Skeleton className="h-3.5 w-32" />
            </td>
            <td className={cellClass}>
              <Skeleton className="h-3.5 w-48" />
            </td>
            <td className={cellClass}>
              <Skeleton className="h-3.5 w-14" />
            </td>
            <td className={cellClass}>
              <Skeleton className="ml-auto h-3.5 w-10" />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
