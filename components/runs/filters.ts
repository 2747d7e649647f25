import { RUN_STATUSES, type RunStatusName } from "@/lib/contracts/runs";

/**
 * The runs list's filters as they live in the URL (shareable, back-button friendly) and as
 * they go to `GET /api/v1/runs`. Preset time ranges are relative ("last hour") and resolved when
 * a request is made, so a live list keeps meaning "the last hour"; a custom range is two fixed
 * instants (`from`, `to`: ISO times in the URL, either may be open).
 */
export const RANGES = {
  "15m": { label: "Last 15 minutes", ms: 15 * 60_000 },
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "Last 24 hours", ms: 86_400_000 },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000 },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000 },
} as const;
export type RangeKey = keyof typeof RANGES;

export interface RunFilters {
  status: RunStatusName[];
  functionId: string;
  appId: string;
  /** a preset; ignored when a custom `from`/`to` is set */
  range: RangeKey | "";
  /** custom range: ISO instants ("" = open) */
  from: string;
  to: string;
  q: string;
}

export const EMPTY_FILTERS: RunFilters = { status: [], functionId: "", appId: "", range: "", from: "", to: "", q: "" };

/** An ISO instant from the URL, or "" when it is not one. */
function instant(value: string): string {
  const t = Date.parse(value);
  return value && Number.isFinite(t) ? new Date(t).toISOString() : "";
}

export const hasCustomRange = (f: Pick<RunFilters, "from" | "to">) => !!(f.from || f.to);

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

function read(params: Params, key: string): string {
  if (params instanceof URLSearchParams) return params.get(key) ?? "";
  const v = params[key];
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

export function filtersFromParams(params: Params): RunFilters {
  const status = read(params, "status")
    .split(",")
    .filter((s): s is RunStatusName => (RUN_STATUSES as readonly string[]).includes(s));
  const range = read(params, "range");
  const from = instant(read(params, "from"));
  const to = instant(read(params, "to"));
  return {
    status,
    functionId: read(params, "function"),
    appId: read(params, "app"),
    range: !from && !to && range in RANGES ? (range as RangeKey) : "",
    from,
    to,
    q: read(params, "q"),
  };
}

export function filtersToParams(f: RunFilters): string {
  const p = new URLSearchParams();
  if (f.status.length) p.set("status", f.status.join(","));
  if (f.functionId) p.set("function", f.functionId);
  if (f.appId) p.set("app", f.appId);
  if (hasCustomRange(f)) {
    if (f.from) p.set("from", f.from);
    if (f.to) p.set("to", f.to);
  } else if (f.range) p.set("range", f.range);
  if (f.q) p.set("q", f.q);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function hasFilters(f: RunFilters): boolean {
  return f.status.length > 0 || !!f.functionId || !!f.appId || !!f.range || hasCustomRange(f) || !!f.q;
}

/** The API query for these filters (the time range resolved against `now`). */
export function apiParams(f: RunFilters, now: number) {
  return {
    status: f.status,
    functionId: f.functionId || undefined,
    appId: f.appId || undefined,
    from: hasCustomRange(f) ? (f.from ? Date.parse(f.from) : undefined) : f.range ? now - RANGES[f.range].ms : undefined,
    to: f.to ? Date.parse(f.to) : undefined,
    q: f.q || undefined,
  };
}
