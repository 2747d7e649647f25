import { Zap } from "lucide-react";
import type { ReactNode } from "react";

import type { FunctionDto } from "@/lib/contracts/functions";

import { cn } from "@/components/ui/cn";
import { formatDuration } from "@/components/ui/format";

import { TriggerChips } from "./function-bits";

/**
 * A function's configuration in words: each flow-control rule says what it does to runs (which
 * ones wait, which are skipped) with its numbers, keys and expressions set apart. The shape is
 * the stored config (lib/registry/function-config.ts), the same for SDK and HTTP functions.
 */
interface Config {
  retries?: number;
  timeout?: number;
  concurrency?: { limit: number; key?: string; scope?: string }[];
  throttle?: { limit: number; period: string | number; burst?: number; key?: string };
  rateLimit?: { limit: number; period: string | number; key?: string };
  debounce?: { period: string | number; key?: string; timeout?: string | number };
  batchEvents?: { maxSize: number; timeout: string | number; key?: string; if?: string };
  priority?: { run?: string };
  idempotency?: string;
  singleton?: { key?: string; mode: string };
  timeouts?: { start?: string | number; finish?: string | number };
  cancel?: { event: string; if?: string; match?: string; timeout?: string | number }[];
}

const DEFAULT_RETRIES = 4;
const dur = (v: string | number | undefined) => (typeof v === "number" ? formatDuration(v) : (v ?? ""));

export function Code({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <code
      className={cn(
        "rounded bg-sunken px-1 py-px font-mono text-[11.5px] break-all text-fg ring-1 ring-line ring-inset",
        className,
      )}
    >
      {children}
    </code>
  );
}

const B = ({ children }: { children: ReactNode }) => <span className="font-semibold text-fg">{children}</span>;
const PerKey = ({ k }: { k?: string }) =>
  k ? (
    <>
      {" "}
      per <Code>{k}</Code>
    </>
  ) : null;

interface Row {
  id: string;
  label: string;
  value: ReactNode;
  help?: string;
}

export function configRows(fn: FunctionDto): Row[] {
  const c = fn.config as Config;
  const rows: Row[] = [];
  const retries = c.retries ?? DEFAULT_RETRIES;
  rows.push({
    id: "retries",
    label: "Retries",
    value: (
      <>
        <B>{retries}</B> {retries === 1 ? "retry" : "retries"} · up to {retries + 1} attempts per step
        {c.retries === undefined && <span className="text-faint"> (default)</span>}
      </>
    ),
  });
  if (c.timeout) rows.push({ id: "timeout", label: "Call timeout", value: <B>{formatDuration(c.timeout)}</B> });
  if (c.concurrency?.length)
    rows.push({
      id: "concurrency",
      label: "Concurrency",
      value: c.concurrency.map((x, i) => (
        <div key={i}>
          <B>{x.limit}</B> {x.limit === 1 ? "step" : "steps"} at once
          <PerKey k={x.key} />
          {x.scope && x.scope !== "fn" && <span className="text-muted"> · shared across the {x.scope}</span>}
        </div>
      )),
      help: "Runs over the limit wait in the queue; sleeping and waiting runs hold no slot.",
    });
  if (c.throttle)
    rows.push({
      id: "throttle",
      label: "Throttle",
      value: (
        <>
          <B>{c.throttle.limit}</B> {c.throttle.limit === 1 ? "start" : "starts"} per <B>{dur(c.throttle.period)}</B>
          {c.throttle.burst ? <> (+{c.throttle.burst} burst)</> : null}
          <PerKey k={c.throttle.key} />
        </>
      ),
      help: "Starts over the limit are delayed, never dropped.",
    });
  if (c.rateLimit)
    rows.push({
      id: "rateLimit",
      label: "Rate limit",
      value: (
        <>
          <B>{c.rateLimit.limit}</B> {c.rateLimit.limit === 1 ? "run" : "runs"} per <B>{dur(c.rateLimit.period)}</B>
          <PerKey k={c.rateLimit.key} />
        </>
      ),
      help: "Events over the limit are skipped: their runs are recorded as Skipped.",
    });
  if (c.debounce)
    rows.push({
      id: "debounce",
      label: "Debounce",
      value: (
        <>
          starts after <B>{dur(c.debounce.period)}</B> without a new event
          {c.debounce.timeout ? (
            <>
              , at most <B>{dur(c.debounce.timeout)}</B> after the first
            </>
          ) : null}
          <PerKey k={c.debounce.key} />
        </>
      ),
      help: "One run, with the last event.",
    });
  if (c.batchEvents)
    rows.push({
      id: "batchEvents",
      label: "Batch",
      value: (
        <>
          up to <B>{c.batchEvents.maxSize}</B> events or <B>{dur(c.batchEvents.timeout)}</B>
          <PerKey k={c.batchEvents.key} />
          {c.batchEvents.if && (
            <>
              , if <Code>{c.batchEvents.if}</Code>
            </>
          )}
        </>
      ),
      help: "One run receives the whole batch.",
    });
  if (c.priority?.run)
    rows.push({
      id: "priority",
      label: "Priority",
      value: <Code>{c.priority.run}</Code>,
      help: "Seconds ahead in the queue (negative: behind), at most 600.",
    });
  if (c.idempotency)
    rows.push({
      id: "idempotency",
      label: "Idempotency",
      value: (
        <>
          one run per <Code>{c.idempotency}</Code> every <B>24h</B>
        </>
      ),
      help: "Later events with a used key are skipped.",
    });
  if (c.singleton)
    rows.push({
      id: "singleton",
      label: "Singleton",
      value: (
        <>
          one run at a time
          <PerKey k={c.singleton.key} />; a new one{" "}
          <B>{c.singleton.mode === "cancel" ? "cancels the running one" : "is skipped"}</B>
        </>
      ),
    });
  if (c.timeouts && (c.timeouts.start || c.timeouts.finish))
    rows.push({
      id: "timeouts",
      label: "Timeouts",
      value: (
        <>
          {c.timeouts.start && (
            <div>
              cancelled if not started within <B>{dur(c.timeouts.start)}</B>
            </div>
          )}
          {c.timeouts.finish && (
            <div>
              cancelled if not finished within <B>{dur(c.timeouts.finish)}</B>
            </div>
          )}
        </>
      ),
    });
  if (c.cancel?.length)
    rows.push({
      id: "cancel",
      label: "Cancel on",
      value: c.cancel.map((x, i) => (
        <div key={i} className="flex flex-wrap items-center gap-x-1.5 gap-y-1">
          <span className="inline-flex items-center gap-1 font-mono text-[12px] text-fg">
            <Zap className="size-3 text-amber-500" aria-hidden />
            {x.event}
          </span>
          {x.if ? (
            <>
              if <Code>{x.if}</Code>
            </>
          ) : x.match ? (
            <>
              matching <Code>{x.match}</Code>
            </>
          ) : null}
          {x.timeout ? <span className="text-muted">within {dur(x.timeout)}</span> : null}
        </div>
      )),
      help: "A matching event cancels the run, even while it sleeps or waits.",
    });
  return rows;
}

export function ConfigList({ fn }: { fn: FunctionDto }) {
  const expressions = fn.triggers.filter((t): t is { event: string; expression: string } => "event" in t && !!t.expression);
  return (
    <dl className="divide-y divide-line text-[13px]" data-testid="function-config">
      <div className="grid grid-cols-[7.5rem_1fr] gap-3 px-4 py-2.5">
        <dt className="text-muted">Triggers</dt>
        <dd className="min-w-0 space-y-1.5">
          <TriggerChips triggers={fn.triggers} />
          {expressions.map((t, i) => (
            <div key={i} className="text-xs text-muted">
              <span className="font-mono">{t.event}</span> if <Code>{t.expression}</Code>
            </div>
          ))}
        </dd>
      </div>
      {configRows(fn).map((row) => (
        <div key={row.id} className="grid grid-cols-[7.5rem_1fr] gap-3 px-4 py-2.5" data-config={row.id}>
          <dt className="text-muted">{row.label}</dt>
          <dd className="min-w-0 leading-relaxed break-words text-fg">
            {row.value}
            {row.help && <div className="mt-0.5 text-xs text-faint">{row.help}</div>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Short chips for the functions list: which flow-control rules a function uses. */
export function flowChips(config: FunctionDto["config"]): string[] {
  const c = config as Config;
  const out: string[] = [];
  if (c.concurrency?.length) out.push(`concurrency ${c.concurrency.map((x) => x.limit).join("/")}`);
  if (c.throttle) out.push(`throttle ${c.throttle.limit}/${dur(c.throttle.period)}`);
  if (c.rateLimit) out.push(`rate limit ${c.rateLimit.limit}/${dur(c.rateLimit.period)}`);
  if (c.debounce) out.push(`debounce ${dur(c.debounce.period)}`);
  if (c.batchEvents) out.push(`batch ${c.batchEvents.maxSize}`);
  if (c.priority?.run) out.push("priority");
  if (c.idempotency) out.push("idempotency");
  if (c.singleton) out.push(`singleton ${c.singleton.mode}`);
  if (c.timeouts && (c.timeouts.start || c.timeouts.finish)) out.push("timeouts");
  if (c.cancel?.length) out.push("cancel on");
  return out;
}
