"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { FunctionStats } from "@/lib/contracts/functions";

import { formatClock } from "@/components/ui/format";

/** Runs started per bucket, stacked by outcome (recharts). */
const SERIES = [
  { key: "completed", label: "Completed", color: "#10b981" },
  { key: "failed", label: "Failed", color: "#f43f5e" },
  { key: "cancelled", label: "Cancelled", color: "#f59e0b" },
  { key: "active", label: "In flight", color: "#0ea5e9" },
] as const;

export function FunctionChart({ stats }: { stats: FunctionStats }) {
  const data = stats.buckets.map((b) => ({ ...b, t: Date.parse(b.at) }));
  const hourly = stats.range === "24h";
  return (
    <div className="h-52 w-full" data-testid="function-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }} barCategoryGap={1}>
          <CartesianGrid vertical={false} stroke="var(--line)" />
          <XAxis
            dataKey="t"
            tickFormatter={(t: number) => formatClock(t).slice(0, 5)}
            tick={{ fill: "var(--faint)", fontSize: 11 }}
            axisLine={{ stroke: "var(--line)" }}
            tickLine={false}
            minTickGap={40}
          />
          <YAxis allowDecimals={false} tick={{ fill: "var(--faint)", fontSize: 11 }} axisLine={false} tickLine={false} />
          <Tooltip
            cursor={{ fill: "var(--hover)" }}
            content={({ active, payload }) => {
              const row = payload?.[0]?.payload as (typeof data)[number] | undefined;
              if (!active || !row) return null;
              return (
                <div className="rounded-md border border-line bg-panel px-3 py-2 text-xs shadow-lg">
                  <div className="mb-1 font-medium text-fg">
                    {formatClock(row.t).slice(0, 5)} · {hourly ? "15 minutes" : "1 minute"}
                  </div>
                  {SERIES.map((s) => (
                    <div key={s.key} className="flex items-center gap-2 text-muted">
                      <span className="size-2 rounded-sm" style={{ background: s.color }} />
                      {s.label}
                      <span className="ml-auto pl-4 font-mono text-fg">{row[s.key]}</span>
                    </div>
                  ))}
                </div>
              );
            }}
          />
          {SERIES.map((s) => (
            <Bar key={s.key} dataKey={s.key} stackId="runs" fill={s.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
