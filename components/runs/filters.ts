import { RUN_STATUSES, type RunStatusName } from "@/lib/contracts/runs";

/**
 * The runs list's filters as they live in the URL (shareable, back-button friendly) and as
 * they go to `GET /api/v1/runs`. Time ranges are relative ("last hour") and resolved when a
 * request is made, so a live list keeps meaning "the last hour".
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
  range: RangeKey | "";
  q: string;
}

export const EMPTY_FILTERS: RunFilters = { status: [], functionId: "", appId: "", range: "", q: "" };

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
  return {
    status,
    functionId: read(params, "function"),
    appId: read(params, "app"),
    range: range in RANGES ? (range as RangeKey) : "",
    q: read(params, "q"),
  };
}

export function filtersToParams(f: RunFilters): string {
  const p = new URLSearchParams();
  if (f.status.length) p.set("status", f.status.join(","));
  if (f.functionId) p.set("function", f.functionId);
  if (f.appId) p.set("app", f.appId);
  if (f.range) p.set("range", f.range);
  if (f.q) p.set("q", f.q);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function hasFilters(f: RunFilters): boolean {
  return f.status.length > 0 || !!f.functionId || !!f.appId || !!f.range || !!f.q;
}

/** The API query for these filters (the time range resolved against `now`). */
export function apiParams(f: RunFilters, now: number) {
  return {
    status: f.status,
    functionId: f.functionId || undefined,
    appId: f.appId || undefined,
    from: f.range ? now - RANGES[f.range].ms : undefined,
    q: f.q || undefined,
  };
}
