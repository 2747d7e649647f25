import * as events from "@/app/e/[key]/route";
import * as functionById from "@/app/api/v1/functions/[id]/route";
import * as functions from "@/app/api/v1/functions/route";
import * as health from "@/app/health/route";
import * as metrics from "@/app/metrics/route";
import * as v1EventById from "@/app/v1/events/[id]/route";
import * as v1EventRuns from "@/app/v1/events/[id]/runs/route";
import * as v1Events from "@/app/v1/events/route";
import * as v1RunById from "@/app/v1/runs/[id]/route";

/**
 * The API routes the custom server dispatches straight to their route handlers, skipping
 * Next's request pipeline (~0.8 ms of CPU per request). The handlers stay the single
 * implementation: `next dev`/Next's router serve the very same functions. A test checks that
 * every app/**\/route.ts appears here.
 */
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type RouteModule = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;

export interface RouteEntry {
  /** Next-style path, e.g. /v1/events/[id]/runs */
  path: string;
  module: RouteModule;
}

export const routeTable: RouteEntry[] = [
  { path: "/e/[key]", module: events as RouteModule },
  { path: "/api/v1/functions", module: functions },
  { path: "/api/v1/functions/[id]", module: functionById as RouteModule },
  { path: "/health", module: health },
  { path: "/metrics", module: metrics },
  { path: "/v1/events", module: v1Events },
  { path: "/v1/events/[id]", module: v1EventById as RouteModule },
  { path: "/v1/events/[id]/runs", module: v1EventRuns as RouteModule },
  { path: "/v1/runs/[id]", module: v1RunById as RouteModule },
];

interface CompiledRoute {
  segments: string[];
  module: RouteModule;
}

const compiled: CompiledRoute[] = routeTable.map((r) => ({ segments: r.path.split("/").filter(Boolean), module: r.module }));

/** Finds the route for a pathname; answers its module and params, or null. */
export function matchRoute(pathname: string): { module: RouteModule; params: Record<string, string> } | null {
  const parts = pathname.split("/").filter(Boolean);
  outer: for (const route of compiled) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const seg = route.segments[i] as string;
      const part = parts[i] as string;
      if (seg.startsWith("[")) params[seg.slice(1, -1)] = decodeURIComponent(part);
      else if (seg !== part) continue outer;
    }
    return { module: route.module, params };
  }
  return null;
}
