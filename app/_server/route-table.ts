import { generatedRoutes } from "./routes.generated";

/**
 * The API routes the custom server dispatches straight to their route handlers, skipping
 * Next's request pipeline (~0.8 ms of CPU per request). The handlers stay the single
 * implementation: Next's router serves the very same functions. The list is generated from
 * app/**\/route.ts (scripts/gen-routes.mjs), so a new route is dispatched without editing it.
 */
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type RouteModule = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;

interface CompiledRoute {
  segments: string[];
  module: RouteModule;
  /** static segments count first, so /v1/events/latest beats /v1/events/[id] */
  rank: number;
}

const compiled: CompiledRoute[] = generatedRoutes
  .map((r) => {
    const segments = r.path.split("/").filter(Boolean);
    return { segments, module: r.module, rank: segments.filter((s) => !s.startsWith("[")).length };
  })
  .sort((a, b) => b.rank - a.rank);

/** Finds the route for a pathname; answers its module and params, or null. */
export function matchRoute(pathname: string): { module: RouteModule; params: Record<string, string> } | null {
  const parts = pathname.split("/").filter(Boolean);
  outer: for (const route of compiled) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const seg = route.segments[i] as string;
      const part = parts[i] as string;
      if (seg.startsWith("[")) {
        try {
          params[seg.slice(1, -1)] = decodeURIComponent(part);
        } catch {
          continue outer;
        }
      } else if (seg !== part) continue outer;
    }
    return { module: route.module, params };
  }
  return null;
}
