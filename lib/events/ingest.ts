import { chunk, valuesList, type Sql } from "@/lib/db/sql";
import { inUnit, type EngineContext, type Unit } from "@/lib/execution/context";
import { newId, seededEventId } from "@/lib/ids";
import { routeEvents } from "@/lib/routing/route-events";
import { matchPauses } from "@/lib/execution/pauses";

import { type EventInput, type StoredEvent } from "./event-schema";

/** How long a sender's event `id` suppresses repeats. */
export const EVENT_ID_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Forgets sender ids whose 24 h window ended (a bounded batch per call; index-backed). */
export async function purgeExpiredEventIds(sql: Sql, now: number, limit = 5000): Promise<number> {
  return sql.run(
    `DELETE FROM event_idempotency WHERE key IN (SELECT key FROM event_idempotency WHERE expires_at <= ? LIMIT ${limit})`,
    [now],
  );
}

export interface IngestOptions {
  /** X-Inngest-Event-Id-Seed: derive ids so an SDK retry of the same send is stored once */
  seed?: string | null;
}

/**
 * Stores events and everything they cause — new runs, resumed waits, cancellations — in one
 * transaction, so an accepted event is never lost and never half-processed. Answers one id per
 * input, in order; a repeat (same sender `id` within 24 h, or same seeded id) answers the
 * original event's id and is not stored or routed again.
 */
export async function ingestEvents(ctx: EngineContext, inputs: readonly EventInput[], options: IngestOptions = {}) {
  return inUnit(ctx, (u) => recordEvents(u, inputs, options));
}

export interface RecordOptions extends IngestOptions {
  /** fixed ids (internal events such as function.failed use the run id) */
  ids?: (string | undefined)[];
}

export async function recordEvents(
  u: Unit,
  inputs: readonly EventInput[],
  options: RecordOptions = {},
): Promise<{ ids: string[]; stored: StoredEvent[] }> {
  if (inputs.length === 0) return { ids: [], stored: [] };
  const { tx, now } = u;
  const ids = inputs.map((input, i) => {
    const fixed = options.ids?.[i];
    if (fixed) return fixed;
    if (options.seed) return seededEventId(options.seed, i) ?? newId(now);
    return newId(now);
  });

  // Sender-given ids: the first event with a key claims it for 24 h; a repeat (later in this
  // request, or in another request while the claim lives) answers the claimant's id and is not
  // stored. The claim is an upsert that keeps a live claim, so requests racing with the same id
  // — other transactions, other processes — agree on one event: a second claimant waits for the
  // first one's transaction and then reads its id.
  const fresh = new Array<boolean>(inputs.length).fill(true);
  const claimants = new Map<string, number>();
  const repeats: { key: string; i: number }[] = [];
  inputs.forEach((e, i) => {
    if (e.id === undefined) return;
    if (claimants.has(e.id)) repeats.push({ key: e.id, i });
    else claimants.set(e.id, i);
  });
  if (claimants.size) {
    const owner = new Map<string, string>();
    for (const part of chunk([...claimants], 300)) {
      const params: unknown[] = [];
      for (const [key, i] of part) params.push(key, ids[i], now + EVENT_ID_WINDOW_MS);
      const rows = await tx.all<{ key: string; event_id: string }>(
        `INSERT INTO event_idempotency (key, event_id, expires_at) VALUES ${valuesList(part.length, 3)}
         ON CONFLICT (key) DO UPDATE SET
           event_id = CASE WHEN event_idempotency.expires_at > ? THEN event_idempotency.event_id ELSE excluded.event_id END,
           expires_at = CASE WHEN event_idempotency.expires_at > ? THEN event_idempotency.expires_at ELSE excluded.expires_at END
         RETURNING key, event_id`,
        [...params, now, now],
      );
      for (const r of rows) owner.set(r.key, r.event_id);
    }
    for (const [key, i] of claimants) {
      const original = owner.get(key);
      if (original && original !== ids[i]) {
        ids[i] = original;
        fresh[i] = false;
      }
    }
    for (const { key, i } of repeats) {
      ids[i] = ids[claimants.get(key) as number] as string;
      fresh[i] = false;
    }
  }

  const candidates: StoredEvent[] = [];
  inputs.forEach((input, i) => {
    if (!fresh[i]) return;
    candidates.push({
      id: ids[i] as string,
      name: input.name,
      data: input.data,
      user: input.user,
      ts: input.ts ?? now,
      v: input.v ?? null,
      externalId: input.id ?? null,
      receivedAt: now,
    });
  });

  // ON CONFLICT DO NOTHING + RETURNING tells which ids are new (a seeded retry is not).
  const inserted = new Set<string>();
  for (const part of chunk(candidates, 300)) {
    const params: unknown[] = [];
    for (const e of part)
      params.push(
        e.id,
        e.name,
        JSON.stringify(e.data),
        e.user === undefined ? null : JSON.stringify(e.user),
        e.ts,
        e.v,
        e.externalId,
        e.receivedAt,
      );
    const rows = await tx.all<{ id: string }>(
      `INSERT INTO events (id, name, data, "user", ts, v, external_id, received_at)
       VALUES ${valuesList(part.length, 8)} ON CONFLICT (id) DO NOTHING RETURNING id`,
      params,
    );
    for (const r of rows) inserted.add(r.id);
  }
  const stored = candidates.filter((e) => inserted.has(e.id));
  if (stored.length) {
    await routeEvents(u, stored);
    await matchPauses(u, stored);
    u.messages.push({ topic: "events.received", payload: { ids: stored.map((e) => e.id), names: stored.map((e) => e.name) } });
  }
  return { ids, stored };
}
