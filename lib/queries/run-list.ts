import { celEvent, compileSearch, evaluateBool, toCel } from "@/lib/cel/expressions";
import type { RunList, RunListFilter } from "@/lib/contracts/runs";
import { parseJsonText } from "@/lib/db/json";
import type { PrismaDb } from "@/lib/db/prisma";
import { placeholders, type Sql } from "@/lib/db/sql";
import { idFloor } from "@/lib/ids";

import { RUN_LIST_SELECT, toRunListItem, type RunListRow } from "./dto";
import { queuedReasons } from "./queued-reason";
import { withSubStates } from "./run-sub-state";
import { containsPattern, requiredDataLiterals } from "./search-prefilter";
import { Where } from "./where";

/**
 * The dashboard's runs list: newest first, keyset-paginated by id (ids sort by creation time,
 * so the time range is an id range too). Every filter combination is answered from an index
 * walk that stops after one page: a filter on several statuses or functions becomes one
 * ordered sub-query per (function, status) pair on `runs(function_id, status, id)` (or
 * `(status, id)`, `(function_id, id)`), merged here — never a sort over all matching rows.
 *
 * The CEL search (`q`) evaluates the expression against each candidate's trigger event in
 * id order, within a budget (rows and milliseconds); a page that ran out of budget says so and
 * its cursor continues the scan where it stopped.
 */
export interface RunQueryDeps {
  prisma: PrismaDb;
  sql: Sql;
  /** function id → display name (the in-memory registry) */
  functionName: (id: string) => string | null;
}

export const SEARCH_BUDGET = { rows: 200_000, ms: 30, chunk: 250, window: 4_000 } as const;
/** more (function × status) pairs than this become one IN query instead of a merge */
const MAX_MERGED_QUERIES = 60;

type RunWhere = NonNullable<Parameters<PrismaDb["run"]["findMany"]>[0]>["where"];

interface Scope {
  /** function ids to restrict to (undefined = all) */
  functionIds?: string[];
  statuses?: string[];
  idRange: { lt?: string; gt?: string; gte?: string };
}

export async function listRuns(deps: RunQueryDeps, f: RunListFilter): Promise<RunList> {
  const list = await findRuns(deps, f);
  return { ...list, data: await withSubStates(deps.prisma, await withQueuedReasons(deps.prisma, list.data)) };
}

async function findRuns(deps: RunQueryDeps, f: RunListFilter): Promise<RunList> {
  const { prisma } = deps;
  if (f.ids) {
    const rows = await prisma.run.findMany({ where: { id: { in: f.ids } }, select: RUN_LIST_SELECT, orderBy: { id: "desc" } });
    return { data: rows.map((r) => toRunListItem(r, deps.functionName)), nextCursor: null };
  }
  const scope = await scopeFor(prisma, f);
  if (!scope) return { data: [], nextCursor: null, ...(f.q ? { search: { scanned: 0, complete: true } } : {}) };

  if (f.q) return search(deps, scope, f);

  const rows = await page(prisma, scope, f.limit + 1);
  const data = rows.slice(0, f.limit);
  return {
    data: data.map((r) => toRunListItem(r, deps.functionName)),
    nextCursor: rows.length > f.limit ? (data[data.length - 1]?.id ?? null) : null,
  };
}

/**
 * Queued runs on the page waiting for a concurrency slot say so, like the run page (only
 * queued rows are looked up: their partitions by id, then their slots).
 */
async function withQueuedReasons(prisma: PrismaDb, rows: RunList["data"]): Promise<RunList["data"]> {
  const queued = rows.filter((r) => r.status === "Queued").map((r) => r.id);
  if (queued.length === 0) return rows;
  const runs = await prisma.run.findMany({
    where: { id: { in: queued } },
    select: { id: true, status: true, statusReason: true, partition: true },
  });
  const reasons = await queuedReasons(prisma, runs);
  return reasons.size ? rows.map((r) => ({ ...r, statusReason: reasons.get(r.id) ?? r.statusReason })) : rows;
}

/** Resolves the filters into index-friendly terms; null when nothing can match. */
async function scopeFor(prisma: PrismaDb, f: RunListFilter): Promise<Scope | null> {
  let functionIds = f.functionId;
  if (f.appId) {
    const inApp = await prisma.function.findMany({ where: { appId: f.appId }, select: { id: true } });
    const ids = inApp.map((r) => r.id);
    functionIds = functionIds ? functionIds.filter((id) => ids.includes(id)) : ids;
    if (functionIds.length === 0) return null;
  }
  const idRange: Scope["idRange"] = {};
  const upper = [f.cursor, f.to !== undefined ? idFloor(f.to) : undefined].filter((x): x is string => !!x).sort();
  if (upper[0]) idRange.lt = upper[0];
  if (f.from !== undefined) idRange.gte = idFloor(f.from);
  if (f.after) idRange.gt = f.after;
  if (idRange.gte && idRange.gt) {
    // both lower bounds: the larger one wins
    if (idRange.gt >= idRange.gte) delete idRange.gte;
    else delete idRange.gt;
  }
  return { functionIds, statuses: f.status, idRange };
}

/** One page of rows matching the scope, newest first. */
async function page(prisma: PrismaDb, scope: Scope, take: number): Promise<RunListRow[]> {
  const fns = scope.functionIds ?? [undefined];
  const statuses = scope.statuses ?? [undefined];
  const id = Object.keys(scope.idRange).length ? scope.idRange : undefined;
  if (fns.length * statuses.length > MAX_MERGED_QUERIES) {
    const where: RunWhere = {
      ...(id ? { id } : {}),
      ...(scope.functionIds ? { functionId: { in: scope.functionIds } } : {}),
      ...(scope.statuses ? { status: { in: scope.statuses } } : {}),
    };
    return prisma.run.findMany({ where, select: RUN_LIST_SELECT, orderBy: { id: "desc" }, take });
  }
  const queries: Promise<RunListRow[]>[] = [];
  for (const functionId of fns)
    for (const status of statuses) {
      const where: RunWhere = { ...(id ? { id } : {}), ...(functionId ? { functionId } : {}), ...(status ? { status } : {}) };
      queries.push(prisma.run.findMany({ where, select: RUN_LIST_SELECT, orderBy: { id: "desc" }, take }));
    }
  const parts = await Promise.all(queries);
  if (parts.length === 1) return parts[0] as RunListRow[];
  return parts
    .flat()
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, take);
}

interface ScanRow {
  id: string;
  function_id: string;
  app_id: string | null;
  status: string;
  status_reason: string | null;
  trigger: string;
  cron: string | null;
  event_id: string | null;
  queued_at: unknown;
  started_at: unknown;
  ended_at: unknown;
  origin_run_id: string | null;
  output?: string | null;
  e_id: string | null;
  e_name: string | null;
  e_data: string | null;
  e_user: string | null;
  e_ts: unknown;
  e_v: string | null;
}

/**
 * One chunk of candidates with their trigger events, newest first. The scan reads thousands of
 * rows per request, so it goes through the driver: Prisma costs ~10x more per row here.
 */
const scanColumns = (withOutput: boolean) => `r.id, r.function_id, r.app_id, r.status, r.status_reason, r.trigger, r.cron,
  r.event_id, r.queued_at, r.started_at, r.ended_at, r.origin_run_id${withOutput ? ", r.output" : ""},
  e.id AS e_id, e.name AS e_name, e.data AS e_data, e."user" AS e_user, e.ts AS e_ts, e.v AS e_v`;

async function scanChunk(sql: Sql, scope: Scope, take: number, withOutput: boolean): Promise<ScanRow[]> {
  const columns = scanColumns(withOutput);
  const range = new Where();
  if (scope.idRange.lt) range.add("r.id < ?", scope.idRange.lt);
  if (scope.idRange.gt) range.add("r.id > ?", scope.idRange.gt);
  if (scope.idRange.gte) range.add("r.id >= ?", scope.idRange.gte);
  const select = (where: Where) =>
    sql.all<ScanRow>(
      `SELECT ${columns} FROM runs r LEFT JOIN events e ON e.id = r.event_id ${where.toString()} ORDER BY r.id DESC LIMIT ${take}`,
      where.params,
    );
  const fns = scope.functionIds ?? [undefined];
  const statuses = scope.statuses ?? [undefined];
  if (fns.length * statuses.length > MAX_MERGED_QUERIES) {
    const where = range.copy();
    if (scope.functionIds) where.add(`r.function_id IN (${placeholders(scope.functionIds.length)})`, ...scope.functionIds);
    if (scope.statuses) where.add(`r.status IN (${placeholders(scope.statuses.length)})`, ...scope.statuses);
    return select(where);
  }
  const parts: ScanRow[][] = [];
  for (const functionId of fns)
    for (const status of statuses) {
      const where = range.copy();
      if (functionId) where.add("r.function_id = ?", functionId);
      if (status) where.add("r.status = ?", status);
      parts.push(await select(where));
    }
  if (parts.length === 1) return parts[0] as ScanRow[];
  return parts
    .flat()
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, take);
}

const num = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as number));

function scanRowToListRow(r: ScanRow): RunListRow {
  return {
    id: r.id,
    functionId: r.function_id,
    appId: r.app_id,
    status: r.status,
    statusReason: r.status_reason,
    trigger: r.trigger,
    cron: r.cron,
    eventId: r.event_id,
    queuedAt: num(r.queued_at) as bigint,
    startedAt: num(r.started_at),
    endedAt: num(r.ended_at),
    originRunId: r.origin_run_id,
  };
}

/** One slice of the search: the candidate rows to evaluate, how many runs it covered, and where it ended. */
interface Slice {
  rows: ScanRow[];
  covered: number;
  /** the oldest run id the slice covered; null when it reached the end of the list */
  last: string | null;
}

async function chunkSlice(sql: Sql, scope: Scope, withOutput: boolean): Promise<Slice> {
  const rows = await scanChunk(sql, scope, SEARCH_BUDGET.chunk, withOutput);
  return { rows, covered: rows.length, last: rows.length < SEARCH_BUDGET.chunk ? null : (rows[rows.length - 1]?.id ?? null) };
}

/**
 * A window of WINDOW runs (one index walk) whose trigger events must contain every literal:
 * the database discards the rest (see lib/queries/search-prefilter.ts), so only likely
 * matches are parsed and evaluated.
 */
async function windowSlice(sql: Sql, scope: Scope, literals: string[], withOutput: boolean): Promise<Slice> {
  const fn = scope.functionIds?.[0];
  const status = scope.statuses?.[0];
  const where = new Where();
  if (scope.idRange.lt) where.add("r.id < ?", scope.idRange.lt);
  if (scope.idRange.gt) where.add("r.id > ?", scope.idRange.gt);
  if (scope.idRange.gte) where.add("r.id >= ?", scope.idRange.gte);
  if (fn) where.add("r.function_id = ?", fn);
  if (status) where.add("r.status = ?", status);
  const boundary = await sql.get<{ id: string }>(
    `SELECT r.id FROM runs r ${where.toString()} ORDER BY r.id DESC LIMIT 1 OFFSET ${SEARCH_BUDGET.window - 1}`,
    where.params,
  );
  const covered = boundary
    ? SEARCH_BUDGET.window
    : Number((await sql.get<{ n: unknown }>(`SELECT count(*) AS n FROM runs r ${where.toString()}`, where.params))?.n ?? 0);
  const candidates = where.copy();
  if (boundary) candidates.add("r.id >= ?", boundary.id);
  for (const literal of literals) candidates.add(`e.data LIKE ? ESCAPE '\\'`, containsPattern(literal));
  const rows = await sql.all<ScanRow>(
    `SELECT ${scanColumns(withOutput)} FROM runs r JOIN events e ON e.id = r.event_id ${candidates.toString()} ORDER BY r.id DESC`,
    candidates.params,
  );
  return { rows, covered, last: boundary?.id ?? null };
}

async function search(deps: RunQueryDeps, scope: Scope, f: RunListFilter): Promise<RunList> {
  const q = f.q as string;
  const program = compileSearch(q);
  const wantsOutput = /\boutput\b/.test(q);
  const literals = requiredDataLiterals(q);
  // The pre-filter needs one ordered index walk: at most one function and one status.
  const windowed = literals.length > 0 && (scope.functionIds?.length ?? 0) <= 1 && (scope.statuses?.length ?? 0) <= 1;
  const started = Date.now();
  const matches: RunListRow[] = [];
  let scanned = 0;
  let cursor: string | undefined = scope.idRange.lt;
  let exhausted = false;
  let full = false;

  while (!full) {
    const sliceScope = { ...scope, idRange: { ...scope.idRange, ...(cursor ? { lt: cursor } : {}) } };
    const slice = windowed
      ? await windowSlice(deps.sql, sliceScope, literals, wantsOutput)
      : await chunkSlice(deps.sql, sliceScope, wantsOutput);
    for (const row of slice.rows) {
      const context: Record<string, unknown> = {
        event: row.e_id
          ? celEvent({
              id: row.e_id,
              name: row.e_name ?? "",
              data: parseJsonText(row.e_data),
              ts: Number(row.e_ts),
              user: parseJsonText(row.e_user),
              v: row.e_v,
            })
          : toCel({ name: row.trigger, data: {} }),
      };
      if (wantsOutput) context.output = toCel(parseJsonText(row.output ?? null));
      if (evaluateBool(program, context)) {
        matches.push(scanRowToListRow(row));
        if (matches.length === f.limit) {
          full = true;
          break;
        }
      }
    }
    scanned += slice.covered;
    if (full) break;
    if (slice.last === null) {
      exhausted = true;
      break;
    }
    cursor = slice.last;
    if (scanned >= SEARCH_BUDGET.rows || Date.now() - started >= SEARCH_BUDGET.ms) break;
  }

  return {
    data: matches.map((r) => toRunListItem(r, deps.functionName)),
    // A full page continues after its last match; a page cut by the budget continues after the last run covered.
    nextCursor: full ? (matches[matches.length - 1]?.id ?? null) : exhausted ? null : (cursor ?? null),
    search: { scanned, complete: full || exhausted },
  };
}
