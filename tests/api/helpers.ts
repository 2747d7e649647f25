import { expect } from "vitest";

import type { V1Event, V1Run } from "@/lib/contracts/v1";
import { PostgresSql } from "@/lib/db/postgres";
import { isPostgresUrl, type Sql } from "@/lib/db/sql";
import { SqliteSql } from "@/lib/db/sqlite";

import { api, waitFor } from "../support/server";

/** Small helpers shared by the server-level tests: register, send, read runs. */
type Target = { url: string };

export interface ErrorBody {
  error: string;
  code: string;
  status: number;
  field?: string;
}

export async function register(server: Target, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await api<{ id: string }>(server, "POST", "/api/v1/functions", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function send(server: Target, events: unknown, key = "test-key"): Promise<string[]> {
  const res = await api<{ ids: string[]; status: number }>(server, "POST", `/e/${key}`, events);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.status).toBe(200);
  return res.body.ids;
}

export async function runsOf(server: Target, eventId: string): Promise<V1Run[]> {
  const res = await api<{ data: V1Run[] }>(server, "GET", `/v1/events/${eventId}/runs`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

export const TERMINAL = ["Completed", "Failed", "Cancelled", "Skipped"];

/** Waits until the event's runs (exactly `count` of them) have all ended. */
export async function endedRuns(server: Target, eventId: string, count = 1, timeoutMs = 20_000): Promise<V1Run[]> {
  return waitFor(
    async () => {
      const runs = await runsOf(server, eventId);
      return runs.length === count && runs.every((r) => TERMINAL.includes(r.status)) ? runs : null;
    },
    timeoutMs,
    `${count} ended run(s) of event ${eventId}`,
  );
}

export async function endedRun(server: Target, eventId: string, timeoutMs?: number): Promise<V1Run> {
  return (await endedRuns(server, eventId, 1, timeoutMs))[0] as V1Run;
}

export async function getRun(server: Target, runId: string): Promise<V1Run> {
  const res = await api<{ data: V1Run }>(server, "GET", `/v1/runs/${runId}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

/** Every stored event with this name (newest first), through the public API. */
export async function eventsNamed(server: Target, name: string): Promise<V1Event[]> {
  const out: V1Event[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/v1/events?limit=500${name ? `&name=${encodeURIComponent(name)}` : ""}${cursor ? `&cursor=${cursor}` : ""}`;
    const res = await api<{ data: V1Event[]; cursor: string | null }>(server, "GET", q);
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.cursor;
  } while (cursor);
  return out;
}

/** Direct database access, for checks the API does not expose (duplicate rows, queue state). */
export function openDatabase(url: string): Sql {
  return isPostgresUrl(url) ? new PostgresSql(url, 2) : SqliteSql.open(url);
}

/** Runs one query against a server's database on a short-lived connection. */
export async function query<T = Record<string, unknown>>(
  server: { db: string },
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const db = openDatabase(server.db);
  try {
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}

/** Runs one statement that changes rows; answers how many. */
export async function execute(server: { db: string }, sql: string, params: unknown[] = []): Promise<number> {
  const db = openDatabase(server.db);
  try {
    return await db.run(sql, params);
  } finally {
    await db.close();
  }
}

/** Rows in a table (events, runs, queue_items, …). */
export async function countRows(server: { db: string }, table: string): Promise<number> {
  const [row] = await query<{ n: number }>(server, `SELECT count(*) AS n FROM ${table}`);
  return Number(row?.n);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A unique name per test, so tests sharing a server do not see each other's events. */
let n = 0;
export const unique = (prefix: string) => `${prefix}.${Date.now().toString(36)}${(++n).toString(36)}`;
