"use client";

import { AlertTriangle, Clock3, GitBranch, Globe, History, Hourglass, PhoneForwarded, Play, Timer, Workflow } from "lucide-react";
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from "react";

import type { RunDetail } from "@/lib/contracts/runs";

import { cn } from "@/components/ui/cn";
import { formatClock, formatDuration } from "@/components/ui/format";
import { Tooltip } from "@/components/ui/tooltip";

import { buildTimeline, ticks, type Bar, type BarKind, type TimelineRow } from "./timeline-model";

/**
 * The run's waterfall: one row per step on a shared time axis, attempts as separate bars
 * (failed attempts red, the backoff between them empty), sleeps and waits shaded, work in
 * flight striped and growing live. Rows are buttons: ↑/↓ move, Enter/click selects.
 */
const BAR: Record<BarKind, string> = {
  queued: "bg-zinc-300/70 dark:bg-zinc-700/70",
  running: "bg-sky-500",
  completed: "bg-emerald-500",
  failed: "bg-rose-500",
  cancelled: "bg-amber-500",
  sleeping: "bg-violet-500/25 text-violet-500 bar-hatched ring-1 ring-inset ring-violet-500/50",
  waiting: "bg-amber-500/20 text-amber-500 bar-hatched ring-1 ring-inset ring-amber-500/50",
  invoking: "bg-sky-500/25 text-sky-500 bar-hatched ring-1 ring-inset ring-sky-500/50",
  retry: "border border-dashed border-rose-400 bg-transparent",
  backoff: "h-0! rounded-none border-t border-dashed border-rose-400/70",
  kept: "min-w-2 border border-dashed border-zinc-400 bg-zinc-400/15 dark:border-zinc-500",
  planned: "border border-dashed border-violet-400/70 bg-violet-500/5",
};

const OP_ICON: Record<string, typeof Play> = {
  Run: Workflow,
  StepRun: Play,
  Step: Play,
  Call: Globe,
  Sleep: Clock3,
  WaitForEvent: Hourglass,
  WaitForSignal: Hourglass,
  Gateway: Globe,
  InvokeFunction: PhoneForwarded,
  Invoke: PhoneForwarded,
  AIGateway: GitBranch,
  Execution: AlertTriangle,
};

export function RunTimeline({
  detail,
  now,
  selected,
  onSelect,
}: {
  detail: RunDetail;
  now: number;
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  const { rows, start, end } = useMemo(() => buildTimeline(detail, now), [detail, now]);
  const span = end - start;
  const axis = useMemo(() => ticks(span), [span]);
  const list = useRef<HTMLDivElement>(null);
  const chart = useRef<HTMLDivElement>(null);
  const chartPx = useWidth(chart);
  const pos = (t: number) => `${(Math.max(0, Math.min(span, t - start)) / span) * 100}%`;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>("[data-step-row]") ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))];
    if (next) {
      next.focus();
      onSelect(next.dataset.key as string);
      e.preventDefault();
    }
  };

  return (
    <div className="text-[13px]" data-testid="timeline">
      <div className="flex h-8 items-end border-b border-line">
        <div className="w-56 shrink-0 px-4 pb-1.5 text-[11px] font-medium tracking-wide text-muted">
          <span className="uppercase">Step</span>
          <span className="ml-2 font-mono font-normal text-faint">from {formatClock(start)}</span>
        </div>
        <div className="relative mr-6 h-full flex-1" ref={chart}>
          {axis.map((t) => (
            <span
              key={t}
              className="absolute bottom-1.5 -translate-x-1/2 font-mono text-[10.5px] text-faint first:translate-x-0"
              style={{ left: `${(t / span) * 100}%` }}
            >
              {formatTick(t)}
            </span>
          ))}
        </div>
      </div>
      <div ref={list} onKeyDown={onKeyDown} role="listbox" aria-label="Steps">
        {rows.map((row) => {
          const kept = row.attempts.length > 0 && row.attempts.every((a) => a.fromOrigin);
          const place = summaryPlace(row, now, start, span, chartPx);
          const Icon = kept ? History : (OP_ICON[row.op] ?? Timer);
          const isSelected = selected === row.key;
          const content = (
            <>
              <div className="flex w-56 shrink-0 items-center gap-2 px-4">
                <Icon
                  className={cn(
                    "size-3.5 shrink-0",
                    row.status === "Failed" || row.status === "Errored" ? "text-rose-500" : "text-muted",
                  )}
                  aria-hidden
                />
                <div className="min-w-0 text-left">
                  <div className="truncate font-medium text-fg" title={row.label} data-testid="step-name">
                    {row.label}
                  </div>
                  <div className="truncate text-[11px] text-faint" title={row.sublabel}>
                    {/* no room beside the bars: the duration takes the place of the step kind (its icon says it) */}
                    {place?.at === "label" ? (
                      <>
                        {!row.selectable && `${row.sublabel} · `}
                        <span className="font-mono text-muted" title={row.summary} data-testid="row-summary">
                          {row.summary}
                        </span>
                      </>
                    ) : (
                      row.sublabel
                    )}
                    {row.note && ` · ${row.note}`}
                  </div>
                </div>
              </div>
              <div className="relative mr-6 h-full flex-1">
                {axis.map((t) => (
                  <span
                    key={t}
                    className="absolute inset-y-0 w-px bg-line/60"
                    style={{ left: `${(t / span) * 100}%` }}
                    aria-hidden
                  />
                ))}
                {row.bars.map((bar) => (
                  <TimelineBar key={bar.key} bar={bar} now={now} left={pos(bar.start)} width={width(bar, now, start, span)} />
                ))}
                <RowSummary row={row} place={place} />
              </div>
            </>
          );
          return row.selectable ? (
            <button
              key={row.key}
              type="button"
              role="option"
              aria-selected={isSelected}
              data-step-row
              data-key={row.key}
              onClick={() => onSelect(row.key)}
              className={cn(
                "flex h-10 w-full items-center border-b border-line/70 outline-none last:border-b-0 hover:bg-hover focus-visible:bg-hover",
                isSelected && "bg-accent-soft shadow-[inset_3px_0_0_var(--accent)] hover:bg-accent-soft",
              )}
            >
              {content}
            </button>
          ) : (
            <div key={row.key} className="flex h-10 items-center border-b border-line/70 bg-sunken/40 last:border-b-0">
              {content}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/**
 * Where a row's summary ("what it took") goes: beside its bars, after them or before them,
 * when the text fits there; otherwise under the step's name, never over the bars.
 */
type SummaryPlace = { at: "after" | "before"; fraction: number } | { at: "label" } | null;
const CHAR_PX = 6.4;

function summaryPlace(row: TimelineRow, now: number, start: number, span: number, chartPx: number): SummaryPlace {
  if (!row.summary || row.bars.length === 0) return null;
  const first = Math.min(...row.bars.map((b) => b.start));
  const last = Math.max(...row.bars.map((b) => b.end ?? now));
  const endFraction = Math.min(1, (last - start) / span);
  const startFraction = Math.max(0, (first - start) / span);
  const needed = row.summary.length * CHAR_PX + 10;
  if ((1 - endFraction) * chartPx >= needed) return { at: "after", fraction: endFraction };
  if (startFraction * chartPx >= needed) return { at: "before", fraction: startFraction };
  return { at: "label" };
}

function RowSummary({ row, place }: { row: TimelineRow; place: SummaryPlace }) {
  if (!place || place.at === "label") return null;
  return (
    <span
      className={cn(
        "pointer-events-none absolute top-1/2 -translate-y-1/2 font-mono text-[10.5px] leading-4 whitespace-nowrap text-muted",
        place.at === "after" ? "pl-1.5" : "-translate-x-full pr-1.5",
      )}
      style={{ left: `${place.fraction * 100}%` }}
      data-testid="row-summary"
    >
      {row.summary}
    </span>
  );
}

/** The chart area's width in px (a fair guess until measured), for placing summaries. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(420);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => entry && setWidth(entry.contentRect.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

/** Axis labels: 0, 500ms, 1s, 1.5s, 2m, 1.5h — no trailing zeros. */
function formatTick(t: number): string {
  if (t === 0) return "0";
  if (t < 1000) return `${t}ms`;
  if (t < 60_000) return `${+(t / 1000).toFixed(2)}s`;
  if (t < 3_600_000) return `${+(t / 60_000).toFixed(1)}m`;
  return `${+(t / 3_600_000).toFixed(1)}h`;
}

function width(bar: Bar, now: number, start: number, span: number): string {
  const s = Math.max(bar.start, start);
  const e = bar.end ?? now;
  return `max(3px, ${((Math.max(e, s) - s) / span) * 100}%)`;
}

function TimelineBar({ bar, now, left, width }: { bar: Bar; now: number; left: string; width: string }) {
  const duration = (bar.end ?? now) - bar.start;
  return (
    <Tooltip
      content={
        <span>
          <span className="font-medium">{bar.label}</span>
          <span className="text-muted">
            {" "}
            · {formatDuration(duration)}
            {bar.end === null ? " so far" : ""} · {formatClock(bar.start)}
          </span>
        </span>
      }
    >
      <span
        className={cn("absolute top-1/2 h-3.5 -translate-y-1/2 rounded-[3px]", BAR[bar.kind], bar.live && "bar-live")}
        style={{ left, width }}
        data-bar-kind={bar.kind}
      />
    </Tooltip>
  );
}
