import { chunk, valuesList, type Sql } from "@/lib/db/sql";
import { type EventInput, type StoredEvent } from "@/lib/events/event-schema";
import { newId, seededEventId } from "@/lib/ids";
import { routeEvents } from "@/lib/routing/route-events";
import { inUnit, type EngineContext, type Unit } from "@/lib/state/context";
import { matchPauses } from "@/lib/state/pauses";

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
 * original event's id and is not stored or routed again. The promise settles only once the
 * events are committed.
 *
 * Concurrent calls are group-committed: requests that arrive while the previous commit is
 * running (or within the same turn of the event loop) share one transaction and one set of
 * statements. A commit costs far more than a row (SQLite writes the WAL on COMMIT; PostgreSQL
 * pays round trips and a flush), so at 50 concurrent senders this is several times the
 * throughput of a transaction per request, while each request is still validated on its own
 * and answered only after its events are durable.
 */
export function ingestEvents(
  ctx: EngineContext,
  inputs: readonly EventInput[],
  options: IngestOptions = {},
): Promise<{ ids: string[] }> {
  let group = groups.get(ctx);
  if (!group) {
    group = new IngestGroups(ctx);
    groups.set(ctx, group);
  }
  return group.submit(inputs, options);
}

/** Stores one request's events in a transaction of its own. */
async function ingestAlone(ctx: EngineContext, inputs: readonly EventInput[], options: IngestOptions) {
  const { ids } = await inUnit(ctx, (u) => recordEvents(u, inputs, options));
  return { ids };
}

/** A group stays under one request's maximum, so its statements stay small. */
const MAX_GROUP_EVENTS = 5000;

interface PendingIngest {
  inputs: readonly EventInput[];
  options: IngestOptions;
  resolve: (value: { ids: string[] }) => void;
  reject: (error: unknown) => void;
}

const groups = new WeakMap<EngineContext, IngestGroups>();

class IngestGroups {
  private pending: PendingIngest[] = [];
  private scheduled = false;
  private running = 0;
  /**
   * SQLite has one writer, so a second group could only queue behind the first; PostgreSQL
   * commits in parallel on several connections, so a few groups overlap their round trips.
   */
  private readonly maxRunning: number;

  constructor(private readonly ctx: EngineContext) {
    this.maxRunning = ctx.sql.dialect === "postgres" ? 4 : 1;
  }

  submit(inputs: readonly EventInput[], options: IngestOptions): Promise<{ ids: string[] }> {
    if (inputs.length === 0) return Promise.resolve({ ids: [] });
    return new Promise((resolve, reject) => {
      this.pending.push({ inputs, options, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.maxRunning || this.pending.length === 0) return;
    this.scheduled = true;
    // setImmediate, not a microtask: requests whose bodies arrived in the same I/O poll join.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.running >= this.maxRunning || this.pending.length === 0) return;
    let events = 0;
    let take = 0;
    while (take < this.pending.length) {
      const size = (this.pending[take] as PendingIngest).inputs.length;
      if (take > 0 && events + size > MAX_GROUP_EVENTS) break;
      events += size;
      take++;
    }
    const group = this.pending.splice(0, take);
    this.running++;
    void this.commit(group).finally(() => {
      this.running--;
      this.schedule();
    });
    this.schedule();
  }

  private async commit(group: PendingIngest[]): Promise<void> {
    if (group.length === 1) {
      const only = group[0] as PendingIngest;
      await ingestAlone(this.ctx, only.inputs, only.options).then(only.resolve, only.reject);
      return;
    }
    // One recordEvents call for the whole group (one INSERT, one routing pass), each request's
    // ids fixed up front exactly as recordEvents would derive them from its seed.
    const inputs: EventInput[] = [];
    const ids: (string | undefined)[] = [];
    for (const p of group)
      p.inputs.forEach((input, i) => {
        inputs.push(input);
        ids.push(p.options.seed ? (seededEventId(p.options.seed, i) ?? undefined) : undefined);
      });
    let all: string[];
    try {
      all = (await inUnit(this.ctx, (u) => recordEvents(u, inputs, { ids }))).ids;
    } catch {
      // The group rolled back as a whole; retrying each request alone keeps one request's
      // failure (or a conflict) from failing the others, and gives each its own error.
      await Promise.all(group.map((p) => ingestAlone(this.ctx, p.inputs, p.options).then(p.resolve, p.reject)));
      return;
    }
    let offset = 0;
    for (const p of group) {
      p.resolve({ ids: all.slice(offset, offset + p.inputs.length) });
      offset += p.inputs.length;
    }
  }
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
    // Claimed in key order: two grouped transactions sharing ids lock them in one order (no deadlock).
    const ordered = [...claimants].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const part of chunk(ordered, 300)) {
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
