"use client";

import { AppWindow, Braces, CircleDot, SquareFunction, X } from "lucide-react";
import { useEffect, useState } from "react";

import { RUN_STATUSES, type RunStatusName } from "@/lib/contracts/runs";

import { useApps, useFunctions } from "@/components/data/functions";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { inputClass } from "@/components/ui/input";
import { MultiSelect, Select } from "@/components/ui/select";
import { statusColor } from "@/components/ui/status-badge";

import { EMPTY_FILTERS, hasFilters, type RunFilters } from "./filters";
import { TimeRangePicker } from "./time-range";

/** Status, function, app, time range and a CEL search over the trigger event. */
export function RunsFilters({
  filters,
  onChange,
  searchError,
  lockFunction,
}: {
  filters: RunFilters;
  onChange: (f: RunFilters) => void;
  searchError?: string | null;
  lockFunction?: boolean;
}) {
  const functions = useFunctions();
  const apps = useApps();
  const [text, setText] = useState(filters.q);
  useEffect(() => setText(filters.q), [filters.q]);

  const fnOptions = (functions.data?.data ?? []).map((f) => ({ value: f.id, label: f.name, hint: f.appId ?? "http" }));
  const appIds = new Set<string>([
    ...(apps.data?.data ?? []).map((a) => a.id),
    ...(functions.data?.data ?? []).flatMap((f) => (f.appId ? [f.appId] : [])),
  ]);
  const appOptions = [...appIds].sort().map((id) => ({ value: id, label: apps.data?.data.find((a) => a.id === id)?.name ?? id }));

  return (
    <div className="mb-4 space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <form
          className="relative min-w-[18rem] flex-1"
          onSubmit={(e) => {
            e.preventDefault();
            onChange({ ...filters, q: text.trim() });
          }}
          role="search"
        >
          <Braces className="pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-faint" aria-hidden />
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder='Search with CEL, e.g. event.data.userId == "42"   (Enter)'
            aria-label="Search runs with a CEL expression over the trigger event"
            aria-invalid={!!searchError}
            className={cn(
              inputClass,
              "pl-8 font-mono text-[12.5px]",
              searchError && "border-rose-500 focus:border-rose-500 focus:ring-rose-500/20",
            )}
            data-testid="runs-search"
          />
          {filters.q && (
            <button
              type="button"
              className="absolute top-1/2 right-2 -translate-y-1/2 rounded p-0.5 text-faint hover:text-fg"
              aria-label="Clear search"
              onClick={() => onChange({ ...filters, q: "" })}
            >
              <X className="size-3.5" />
            </button>
          )}
        </form>
        <MultiSelect
          label="Statuses"
          placeholder="Any status"
          icon={<CircleDot />}
          values={filters.status}
          onChange={(status) => onChange({ ...filters, status: status as RunStatusName[] })}
          options={RUN_STATUSES.map((s) => ({
            value: s,
            label: (
              <span className="flex items-center gap-2">
                <span className={cn("size-2 rounded-full", statusColor[s])} />
                {s}
              </span>
            ),
          }))}
        />
        {!lockFunction && (
          <Select
            label="Function"
            placeholder="Any function"
            icon={<SquareFunction />}
            value={filters.functionId}
            onChange={(functionId) => onChange({ ...filters, functionId })}
            options={fnOptions}
          />
        )}
        {!lockFunction && appOptions.length > 0 && (
          <Select
            label="App"
            placeholder="Any app"
            icon={<AppWindow />}
            value={filters.appId}
            onChange={(appId) => onChange({ ...filters, appId })}
            options={appOptions}
          />
        )}
        <TimeRangePicker value={filters} onChange={(r) => onChange({ ...filters, ...r })} />
        {hasFilters(lockFunction ? { ...filters, functionId: "" } : filters) && (
          <Button
            variant="ghost"
            onClick={() => onChange(lockFunction ? { ...EMPTY_FILTERS, functionId: filters.functionId } : EMPTY_FILTERS)}
          >
            <X /> Clear
          </Button>
        )}
      </div>
      {searchError && (
        <p className="font-mono text-xs text-rose-600 dark:text-rose-400" role="alert" data-testid="search-error">
          {searchError}
        </p>
      )}
    </div>
  );
}
