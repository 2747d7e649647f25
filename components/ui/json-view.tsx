"use client";

import { useMemo, useState, type ReactNode } from "react";

import { cn } from "./cn";
import { CopyButton } from "./copy-button";

/**
 * A read-only JSON viewer: pretty-printed, coloured by token, with copy. Everything is rendered
 * as React text nodes, never as HTML, so a payload containing `<script>` shows as text.
 */
const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
const LARGE = 200_000;

export function stringifyJson(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value, null, 2) ?? "undefined";
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function highlight(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let i = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index;
    if (at > last) out.push(text.slice(last, at));
    const [whole, str, colon, literal, number] = m;
    if (str !== undefined && colon !== undefined) {
      out.push(
        <span key={i++} className="text-indigo-700 dark:text-indigo-300">
          {str}
        </span>,
        colon,
      );
    } else if (str !== undefined) {
      out.push(
        <span key={i++} className="text-emerald-700 dark:text-emerald-300">
          {str}
        </span>,
      );
    } else if (literal !== undefined) {
      out.push(
        <span key={i++} className="text-violet-700 dark:text-violet-300">
          {literal}
        </span>,
      );
    } else if (number !== undefined) {
      out.push(
        <span key={i++} className="text-amber-700 dark:text-amber-300">
          {number}
        </span>,
      );
    } else out.push(whole);
    last = at + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function JsonView({
  value,
  className,
  maxHeight = "28rem",
  label,
  actions,
}: {
  value: unknown;
  className?: string;
  maxHeight?: string;
  label?: string;
  actions?: ReactNode;
}) {
  const text = useMemo(() => stringifyJson(value), [value]);
  const [showAll, setShowAll] = useState(false);
  const shown = showAll || text.length <= LARGE ? text : text.slice(0, LARGE);
  const nodes = useMemo(() => highlight(shown), [shown]);
  return (
    <div className={cn("group relative overflow-hidden rounded-lg border border-line bg-sunken", className)}>
      <div className="flex h-8 items-center justify-between border-b border-line px-3">
        <span className="text-[11px] font-medium tracking-wide text-muted uppercase">{label ?? "JSON"}</span>
        <div className="flex items-center gap-1">
          {actions}
          <CopyButton text={text} label={`Copy ${label ?? "JSON"}`} />
        </div>
      </div>
      <pre
        className="overflow-auto p-3 font-mono text-[12.5px] leading-5 [overflow-wrap:anywhere] whitespace-pre-wrap text-fg"
        style={{ maxHeight }}
        data-testid="json-view"
      >
        {nodes}
        {shown.length < text.length && (
          <button type="button" className="mt-2 block text-xs text-accent hover:underline" onClick={() => setShowAll(true)}>
            Show all ({Math.round(text.length / 1024).toLocaleString()} KB)
          </button>
        )}
      </pre>
    </div>
  );
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
}

/** An error as users read it: name and message first, the stack as text below, then the raw JSON. */
export function ErrorView({ error, className }: { error: unknown; className?: string }) {
  const e = (error && typeof error === "object" ? error : { message: String(error) }) as ErrorLike;
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : stringifyJson(error);
  const stack = typeof e.stack === "string" ? e.stack : null;
  return (
    <div
      className={cn("overflow-hidden rounded-lg border border-rose-500/30 bg-rose-500/[0.04]", className)}
      data-testid="error-view"
    >
      <div className="flex items-start justify-between gap-3 border-b border-rose-500/20 px-3 py-2.5">
        <div className="min-w-0">
          <div className="text-xs font-semibold text-rose-700 dark:text-rose-300">{name}</div>
          <div className="mt-0.5 text-[13px] break-words text-fg">{message}</div>
        </div>
        <CopyButton text={stack ?? stringifyJson(error)} label="Copy error" />
      </div>
      {stack && (
        <pre className="max-h-72 overflow-auto px-3 py-2.5 font-mono text-[12px] leading-5 whitespace-pre-wrap text-muted">
          {stack}
        </pre>
      )}
    </div>
  );
}
