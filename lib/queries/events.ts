import { celEvent, compileSearch, evaluateBool } from "@/lib/cel/expressions";
import { EVENT_RUNS_SHOWN, type EventDetail, type EventList, type EventListFilter } from "@/lib/contracts/events";
import { parseJsonText } from "@/lib/db/json";
import type { PrismaDb } from "@/lib/db/prisma";
import type { Sql } from "@/lib/db/sql";
import { notFound } from "@/lib/errors";

import { isoTime, toEventDto } from "./dto";
import { SEARCH_BUDGET } from "./run-list";
import { containsPattern, requiredDataLiterals } from "./search-prefilter";
import { Where } from "./where";

/**
 * The dashboard's events list: newest first, keyset-paginated by id; the name filter walks
 * `events(name, id)`. Engine-emitted `inngest/*` events are hidden unless asked for. The CEL
 * search is bounded like the runs search (see lib/queries/run-list.ts).
 */
export interface EventQueryDeps {
  prisma: PrismaDb;
  sql: Sql;
  functionName: (id: string) => string | null;
}

const INTERNAL_PREFIX = "inngest/";
const PREVIEW_CHARS = 160;

type EventRow = { id: string; name: string; data: string; receivedAt: bigint; ts: bigint; externalId: string | null };
const LIST_SELECT = { id: true, name: true, data: true, receivedAt: true, ts: true, externalId: true } as const;

interface ScanRow {
  id: string;
  name: string;
  data: string;
  user: string | null;
  ts: unknown;
  v: string | null;
  external_id: string | null;
  received_at: unknown;
}
const EVENT_COLUMNS = `id, name, data, "user", ts, v, external_id, received_at`;

export async function listEvents(deps: EventQueryDeps, f: EventListFilter): Promise<EventList> {
  const { prisma } = deps;
  const where = (lt?: string) => ({
    ...(f.name ? { name: f.name } : f.internal ? {} : { NOT: { name: { startsWith: INTERNAL_PREFIX } } }),
    ...(lt || f.after ? { id: { ...(lt ? { lt } : {}), ...(f.after ? { gt: f.after } : {}) } } : {}),
  });

  if (!f.q) {
    const rows = await prisma.event.findMany({
      where: where(f.cursor),
      select: LIST_SELECT,
      orderBy: { id: "desc" },
      take: f.limit + 1,
    });
    const page = rows.slice(0, f.limit);
    return {
      data: await withRuns(deps, page, f.runs ?? false),
      nextCursor: rows.length > f.limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }

  // The search reads thousands of rows per request: through the driver (Prisma costs ~10x more per row).
  // With literals the database pre-filters each window of WINDOW events (lib/queries/search-prefilter.ts).
  const program = compileSearch(f.q);
  const literals = requiredDataLiterals(f.q);
  const started = Date.now();
  const matches: EventRow[] = [];
  let scanned = 0;
  let last = f.cursor;
  let exhausted = false;
  let full = false;
  while (!full) {
    const where = new Where();
    if (f.name) where.add("name = ?", f.name);
    else if (!f.internal) where.add("name NOT LIKE 'inngest/%'");
    if (last) where.add("id < ?", last);
    if (f.after) where.add("id > ?", f.after);
    let rows: ScanRow[];
    let covered: number;
    let end: string | null;
    if (literals.length) {
      const boundary = await deps.sql.get<{ id: string }>(
        `SELECT id FROM events ${where.toString()} ORDER BY id DESC LIMIT 1 OFFSET ${SEARCH_BUDGET.window - 1}`,
        where.params,
      );
      covered = boundary
        ? SEARCH_BUDGET.window
        : Number(
            (await deps.sql.get<{ n: unknown }>(`SELECT count(*) AS n FROM events ${where.toString()}`, where.params))?.n ?? 0,
          );
      const candidates = where.copy();
      if (boundary) candidates.add("id >= ?", boundary.id);
      for (const literal of literals) candidates.add(`data LIKE ? ESCAPE '\\'`, containsPattern(literal));
      rows = await deps.sql.all<ScanRow>(
        `SELECT ${EVENT_COLUMNS} FROM events ${candidates.toString()} ORDER BY id DESC`,
        candidates.params,
      );
      end = boundary?.id ?? null;
    } else {
      rows = await deps.sql.all<ScanRow>(
        `SELECT ${EVENT_COLUMNS} FROM events ${where.toString()} ORDER BY id DESC LIMIT ${SEARCH_BUDGET.chunk}`,
        where.params,
      );
      covered = rows.length;
      end = rows.length < SEARCH_BUDGET.chunk ? null : (rows[rows.length - 1]?.id ?? null);
    }
    for (const row of rows) {
      const event = celEvent({
        id: row.id,
        name: row.name,
        data: parseJsonText(row.data),
        ts: Number(row.ts),
        user: parseJsonText(row.user),
        v: row.v,
      });
      if (evaluateBool(program, { event })) {
        matches.push({
          id: row.id,
          name: row.name,
          data: row.data,
          ts: BigInt(Number(row.ts)),
          receivedAt: BigInt(Number(row.received_at)),
          externalId: row.external_id,
        });
        if (matches.length === f.limit) {
          full = true;
          break;
        }
      }
    }
    scanned += covered;
    if (full) break;
    if (end === null) {
      exhausted = true;
      break;
    }
    last = end;
    if (scanned >= SEARCH_BUDGET.rows || Date.now() - started >= SEARCH_BUDGET.ms) break;
  }
  return {
    data: await withRuns(deps, matches, f.runs ?? false),
    nextCursor: full ? (matches[matches.length - 1]?.id ?? null) : exhausted ? null : (last ?? null),
    search: { scanned, complete: full || exhausted },
  };
}

/**
 * Each event's run count and, when asked for, its first runs: the runs it started (`runs.event_id`)
 * and those it joined (a batch, a debounce: `run_events`), both read by index per page of events.
 */
async function withRuns(deps: EventQueryDeps, rows: EventRow[], includeRuns: boolean): Promise<EventList["data"]> {
  const { prisma } = deps;
  const counts = new Map<string, number>();
  const joined = new Map<string, string[]>();
  if (rows.length) {
    const ids = rows.map((r) => r.id);
    const [own, links] = await Promise.all([
      prisma.run.groupBy({ by: ["eventId"], where: { eventId: { in: ids } }, _count: { _all: true } }),
      prisma.runEvent.findMany({ where: { eventId: { in: ids } }, select: { eventId: true, runId: true } }),
    ]);
    for (const g of own) if (g.eventId) counts.set(g.eventId, g._count._all);
    for (const l of links) {
      counts.set(l.eventId, (counts.get(l.eventId) ?? 0) + 1);
      joined.set(l.eventId, [...(joined.get(l.eventId) ?? []), l.runId]);
    }
  }
  const runs = new Map<string, NonNullable<EventList["data"][number]["runs"]>>();
  if (includeRuns)
    await Promise.all(
      rows
        .filter((r) => counts.has(r.id))
        .map(async (r) => {
          const also = joined.get(r.id);
          const started = await prisma.run.findMany({
            where: also ? { OR: [{ eventId: r.id }, { id: { in: also } }] } : { eventId: r.id },
            select: { id: true, functionId: true, status: true, statusReason: true },
            orderBy: { id: "asc" },
            take: EVENT_RUNS_SHOWN,
          });
          runs.set(
            r.id,
            started.map((run) => ({ ...run, functionName: deps.functionName(run.functionId) })),
          );
        }),
    );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    receivedAt: isoTime(r.receivedAt) as string,
    ts: Number(r.ts),
    externalId: r.externalId,
    preview: r.data.length > PREVIEW_CHARS ? `${r.data.slice(0, PREVIEW_CHARS)}…` : r.data,
    runCount: counts.get(r.id) ?? 0,
    ...(includeRuns ? { runs: runs.get(r.id) ?? [] } : {}),
  }));
}

const EVENT_RUNS_MAX = 200;
const EVENT_RUN_SELECT = { id: true, functionId: true, status: true, statusReason: true, queuedAt: true, endedAt: true } as const;

export async function getEventDetail(deps: EventQueryDeps, id: string): Promise<EventDetail> {
  const { prisma } = deps;
  const event = await prisma.event.findUnique({ where: { id } });
  if (!event) throw notFound("event", id);
  // Its own runs, and those it joined: a batch, or a debounce that started with a later event.
  // The runs it resumed and cancelled come from `steps(resolved_by_event_id)` and
  // `runs(cancelled_by_event_id)`, both indexed.
  const [joined, resumedSteps, cancelled] = await Promise.all([
    prisma.runEvent.findMany({ where: { eventId: id }, select: { runId: true } }),
    prisma.step.findMany({
      where: { resolvedByEventId: id },
      select: { runId: true, hashedId: true, name: true, displayName: true },
      orderBy: { id: "asc" },
      take: EVENT_RUNS_MAX,
    }),
    prisma.run.findMany({
      where: { cancelledByEventId: id },
      select: EVENT_RUN_SELECT,
      orderBy: { id: "asc" },
      take: EVENT_RUNS_MAX,
    }),
  ]);
  const [runs, resumedRuns] = await Promise.all([
    prisma.run.findMany({
      where: joined.length ? { OR: [{ eventId: id }, { id: { in: joined.map((j) => j.runId) } }] } : { eventId: id },
      select: EVENT_RUN_SELECT,
      orderBy: { id: "asc" },
      take: EVENT_RUNS_MAX,
    }),
    resumedSteps.length
      ? prisma.run.findMany({ where: { id: { in: [...new Set(resumedSteps.map((s) => s.runId))] } }, select: EVENT_RUN_SELECT })
      : [],
  ]);
  const toDto = (r: (typeof runs)[number]) => ({
    id: r.id,
    functionId: r.functionId,
    functionName: deps.functionName(r.functionId),
    status: r.status,
    statusReason: r.statusReason,
    queuedAt: isoTime(r.queuedAt) as string,
    endedAt: isoTime(r.endedAt),
  });
  const byId = new Map(resumedRuns.map((r) => [r.id, r]));
  return {
    event: toEventDto(event),
    runs: runs.map(toDto),
    resumed: resumedSteps.flatMap((s) => {
      const run = byId.get(s.runId);
      return run ? [{ ...toDto(run), stepId: s.hashedId, stepName: s.displayName ?? s.name }] : [];
    }),
    cancelled: cancelled.map(toDto),
  };
}

/**
 * Event names for the filter: every name a function triggers on plus the names among the
 * newest events (a bounded read, not a DISTINCT over the whole table).
 */
export async function knownEventNames(prisma: PrismaDb, triggerNames: readonly string[]): Promise<string[]> {
  const recent = await prisma.event.findMany({ select: { name: true }, orderBy: { id: "desc" }, take: 2000 });
  const names = new Set<string>([...triggerNames.filter((n) => !n.includes("*")), ...recent.map((r) => r.name)]);
  return [...names].sort((a, b) => a.localeCompare(b));
}
