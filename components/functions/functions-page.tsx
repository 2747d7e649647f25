"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Boxes, SquareFunction } from "lucide-react";
import Link from "next/link";
import { useCallback, useMemo } from "react";

import { functionActivityDto } from "@/lib/contracts/functions";

import { apiGet } from "@/components/data/api";
import { useFunctions } from "@/components/data/functions";
import { useRealtime } from "@/components/realtime/realtime";
import { useServerInfo } from "@/components/shell/server-info";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { formatCount } from "@/components/ui/format";
import { EmptyState, ErrorState, PageHeader, Skeleton } from "@/components/ui/states";
import { cellClass, rowClass, Table, Th, useRowNavigation } from "@/components/ui/table";

import { ActiveBadge, PausedBadge, TriggerChips } from "./function-bits";
import { flowChips } from "./function-config";

/** `/functions`: every function with its app, triggers, state and the last hour's runs. */
export function FunctionsPage() {
  const functions = useFunctions();
  const info = useServerInfo();
  const qc = useQueryClient();
  const activity = useQuery({
    queryKey: ["function-activity"],
    queryFn: () => apiGet("/api/v1/stats/functions", functionActivityDto),
    refetchInterval: 15_000,
  });
  const onRuns = useCallback(() => void qc.invalidateQueries({ queryKey: ["function-activity"] }), [qc]);
  useRealtime(["runs"], onRuns, 2000);

  const rows = useMemo(() => functions.data?.data ?? [], [functions.data]);
  const byFn = new Map(activity.data?.data.map((a) => [a.functionId, a]));
  const hrefs = useMemo(() => rows.map((f) => `/functions/${encodeURIComponent(f.id)}`), [rows]);
  const { bodyProps, rowProps } = useRowNavigation(hrefs);

  return (
    <>
      <PageHeader title="Functions" description="Functions from synced apps and plain HTTP functions registered over the API." />
      {functions.isPending ? (
        <Skeleton className="h-64 w-full rounded-xl" />
      ) : functions.isError ? (
        <ErrorState error={functions.error} onRetry={() => void functions.refetch()} />
      ) : rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-line-strong bg-panel">
          <EmptyState
            icon={SquareFunction}
            title="No functions yet"
            action={
              <Button asChild variant="primary">
                <Link href="/apps">
                  <Boxes /> Sync an app
                </Link>
              </Button>
            }
          >
            Sync an app that serves Inngest SDK functions, or register a plain HTTP function:
            <pre className="mt-3 overflow-x-auto rounded-lg border border-line bg-sunken px-3 py-2 text-left font-mono text-xs text-fg">
              {`curl -X POST ${info?.url ?? "http://localhost:8288"}/api/v1/functions \\\n  -d '{"name":"hello","triggers":[{"event":"user.created"}],\n       "url":"http://localhost:4000/fn"}'`}
            </pre>
          </EmptyState>
        </div>
      ) : (
        <Table label="Functions">
          <colgroup>
            <col className="w-[24%]" />
            <col className="w-[10%]" />
            <col />
            <col className="w-[24%]" />
            <col className="w-[140px]" />
            <col className="w-[100px]" />
          </colgroup>
          <thead>
            <tr>
              <Th>Function</Th>
              <Th>App</Th>
              <Th>Triggers</Th>
              <Th>Flow control</Th>
              <Th className="text-right">Runs · last hour</Th>
              <Th>State</Th>
            </tr>
          </thead>
          <tbody {...bodyProps} data-testid="functions-body">
            {rows.map((fn, i) => {
              const a = byFn.get(fn.id);
              return (
                <tr key={fn.id} {...rowProps(i)} data-function-id={fn.id} className={cn(rowClass, "h-13")}>
                  <td className={cn(cellClass, "truncate")}>
                    <Link
                      href={`/functions/${encodeURIComponent(fn.id)}`}
                      className="font-medium text-fg hover:underline"
                      tabIndex={-1}
                    >
                      {fn.name}
                    </Link>
                    <div className="truncate font-mono text-[11px] text-faint" title={fn.id}>
                      {fn.id}
                    </div>
                  </td>
                  <td className={cn(cellClass, "truncate text-muted")}>{fn.appId ?? <span className="text-faint">HTTP</span>}</td>
                  <td className={cellClass}>
                    <TriggerChips triggers={fn.triggers} className="flex-nowrap overflow-hidden" />
                  </td>
                  <td className={cellClass}>
                    <FlowChips config={fn.config} />
                  </td>
                  <td className={cn(cellClass, "text-right tabular-nums")}>
                    {a ? (
                      <span>
                        <span className="font-medium text-fg">{formatCount(a.total)}</span>
                        {a.failed > 0 && (
                          <span className="ml-1.5 text-xs text-rose-600 dark:text-rose-400">{formatCount(a.failed)} failed</span>
                        )}
                      </span>
                    ) : (
                      <span className="text-faint">0</span>
                    )}
                  </td>
                  <td className={cellClass}>{fn.paused ? <PausedBadge /> : <ActiveBadge />}</td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
    </>
  );
}

function FlowChips({ config }: { config: Record<string, unknown> }) {
  const chips = flowChips(config);
  if (!chips.length) return <span className="text-xs text-faint">—</span>;
  const shown = chips.length > 3 ? chips.slice(0, 2) : chips;
  return (
    <div className="flex min-w-0 flex-nowrap items-center gap-1 overflow-hidden" title={chips.join(", ")}>
      {shown.map((c) => (
        <span
          key={c}
          className="shrink-0 rounded-md bg-violet-500/8 px-1.5 py-0.5 text-[11px] whitespace-nowrap text-violet-700 ring-1 ring-violet-500/20 ring-inset dark:text-violet-300"
        >
          {c}
        </span>
      ))}
      {shown.length < chips.length && <span className="shrink-0 text-[11px] text-muted">+{chips.length - shown.length}</span>}
    </div>
  );
}
