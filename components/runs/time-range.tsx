"use client";

import { Check, ChevronDown, Clock } from "lucide-react";
import { Popover } from "radix-ui";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { formatShortDate } from "@/components/ui/format";
import { inputClass } from "@/components/ui/input";

import { hasCustomRange, RANGES, type RangeKey, type RunFilters } from "./filters";

/**
 * The runs list's time range: a preset ("Last hour", relative to now, so a live list keeps
 * its meaning) or a custom range between two instants picked with date-time inputs (local
 * time; either end may stay open).
 */
type Range = Pick<RunFilters, "range" | "from" | "to">;

export function TimeRangePicker({ value, onChange }: { value: Range; onChange: (r: Range) => void }) {
  const [open, setOpen] = useState(false);
  const custom = hasCustomRange(value);
  const label = custom
    ? `${value.from ? formatShortDate(value.from) : "…"} → ${value.to ? formatShortDate(value.to) : "now"}`
    : value.range
      ? RANGES[value.range].label
      : "Any time";
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger
        className="inline-flex h-8 items-center gap-1.5 rounded-md border border-line bg-panel px-2.5 text-[13px] text-fg shadow-xs hover:bg-hover focus:outline-none focus-visible:ring-2 focus-visible:ring-accent/30 data-[active=true]:border-accent/50 data-[active=true]:bg-accent-soft"
        aria-label="Time range"
        data-active={custom || !!value.range}
        data-testid="time-range"
      >
        <Clock className="size-3.5 text-muted" aria-hidden />
        <span className="max-w-[18rem] truncate" suppressHydrationWarning>
          {label}
        </span>
        <ChevronDown className="size-3.5 text-muted" />
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          className="z-50 w-[19rem] overflow-hidden rounded-lg border border-line bg-panel shadow-xl"
          sideOffset={4}
          align="end"
        >
          <div className="p-1" role="group" aria-label="Presets">
            {([["", "Any time"], ...Object.entries(RANGES).map(([k, r]) => [k, r.label])] as [RangeKey | "", string][]).map(
              ([key, text]) => {
                const selected = !custom && value.range === key;
                return (
                  <button
                    key={key || "any"}
                    type="button"
                    className="relative flex h-8 w-full items-center rounded-md pr-8 pl-2 text-left text-[13px] text-fg hover:bg-hover focus-visible:bg-hover focus-visible:outline-none"
                    onClick={() => {
                      onChange({ range: key, from: "", to: "" });
                      setOpen(false);
                    }}
                  >
                    {text}
                    {selected && <Check className="absolute right-2 size-3.5" aria-hidden />}
                  </button>
                );
              },
            )}
          </div>
          <CustomRange
            key={`${value.from}|${value.to}`}
            value={value}
            onApply={(from, to) => {
              onChange({ range: "", from, to });
              setOpen(false);
            }}
          />
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

function CustomRange({ value, onApply }: { value: Range; onApply: (from: string, to: string) => void }) {
  const [from, setFrom] = useState(() => toLocalInput(value.from));
  const [to, setTo] = useState(() => toLocalInput(value.to));
  const fromIso = fromLocalInput(from);
  const toIso = fromLocalInput(to);
  const error =
    (from && !fromIso) || (to && !toIso)
      ? "Enter a complete date and time."
      : fromIso && toIso && fromIso >= toIso
        ? "“From” must be before “To”."
        : null;
  return (
    <form
      className="space-y-2 border-t border-line bg-sunken/50 p-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (!error && (fromIso || toIso)) onApply(fromIso, toIso);
      }}
    >
      <div className="text-[11px] font-medium tracking-wide text-muted uppercase">Custom range</div>
      {(
        [
          ["From", from, setFrom, "range-from"],
          ["To", to, setTo, "range-to"],
        ] as const
      ).map(([text, v, set, id]) => (
        <label key={id} className="grid grid-cols-[2.5rem_1fr] items-center gap-2 text-[13px] text-muted">
          {text}
          <input
            type="datetime-local"
            step={1}
            value={v}
            onChange={(e) => set(e.target.value)}
            className={cn(inputClass, "h-8 font-mono text-xs")}
            data-testid={id}
          />
        </label>
      ))}
      {error && (
        <p className="text-xs text-rose-600 dark:text-rose-400" role="alert">
          {error}
        </p>
      )}
      <div className="flex items-center justify-between gap-2 pt-1">
        <span className="text-[11px] text-faint">Your local time. Leave one open.</span>
        <Button type="submit" size="sm" variant="primary" disabled={!!error || (!fromIso && !toIso)} data-testid="range-apply">
          Apply
        </Button>
      </div>
    </form>
  );
}

const pad = (n: number) => String(n).padStart(2, "0");

/** ISO instant → the `datetime-local` value for the same instant in local time (seconds kept). */
export function toLocalInput(iso: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A `datetime-local` value (local time) → an ISO instant; "" when empty or incomplete. */
export function fromLocalInput(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return "";
  const t = new Date(value).getTime();
  return Number.isFinite(t) ? new Date(t).toISOString() : "";
}
