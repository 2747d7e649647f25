import type { SearchHit } from "@/lib/contracts/info";
import type { PrismaDb } from "@/lib/db/prisma";
import type { FunctionRegistry } from "@/lib/registry/registry";

/**
 * The top bar's search: an exact run or event id, or functions and apps whose id or name
 * contains the text. Only primary-key lookups and the in-memory registry: always fast.
 */
export async function searchEverything(deps: { prisma: PrismaDb; registry: FunctionRegistry }, q: string): Promise<SearchHit[]> {
  const text = q.trim();
  if (!text) return [];
  const hits: SearchHit[] = [];
  const upper = text.toUpperCase();
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(upper)) {
    const [run, event] = await Promise.all([
      deps.prisma.run.findUnique({ where: { id: upper }, select: { id: true, functionId: true, status: true } }),
      deps.prisma.event.findUnique({ where: { id: upper }, select: { id: true, name: true } }),
    ]);
    if (run)
      hits.push({
        kind: "run",
        id: run.id,
        label: run.id,
        detail: `${deps.registry.get(run.functionId)?.name ?? run.functionId} · ${run.status}`,
      });
    if (event) hits.push({ kind: "event", id: event.id, label: event.id, detail: event.name });
  }
  const lower = text.toLowerCase();
  for (const fn of deps.registry.all) {
    if (hits.length >= 10) break;
    if (fn.id.toLowerCase().includes(lower) || fn.name.toLowerCase().includes(lower))
      hits.push({ kind: "function", id: fn.id, label: fn.name, detail: fn.appId ?? "HTTP function" });
  }
  if (hits.length < 10) {
    const apps = await deps.prisma.app.findMany({ select: { id: true, name: true, url: true }, take: 200 });
    for (const app of apps) {
      if (hits.length >= 10) break;
      if (app.id.toLowerCase().includes(lower) || app.name.toLowerCase().includes(lower))
        hits.push({ kind: "app", id: app.id, label: app.name, detail: app.url });
    }
  }
  return hits;
}
