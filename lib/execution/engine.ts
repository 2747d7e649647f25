import { hostname } from "node:os";

import type { PostgresSql } from "@/lib/db/postgres";
import { purgeExpiredKeys } from "@/lib/flow/flow-keys";
import { randomToken } from "@/lib/ids";
import { purgeExpiredEventIds } from "@/lib/ingest/ingest";
import { logger } from "@/lib/logger";
import { leaseItems } from "@/lib/queue/lease";
import { extendLeases, purgeIdlePartitions, reclaimExpired } from "@/lib/queue/queue";
import type { EngineContext } from "@/lib/state/context";

import { Executor } from "./executor";
import { PostgresWakeups } from "./wakeups.postgres";

export interface EngineOptions {
  /** calls in flight at once in this process */
  workers: number;
  /** ms between polls when nothing wakes the leaser */
  tick: number;
  /** lease length; renewed while a call is in flight, so only a dead process's work expires */
  leaseMs?: number;
}

/**
 * The worker pool: a single leaser loop that takes due work in batches (up to the free worker
 * count), hands each item to the executor, and sleeps until woken by new work (in-process bus,
 * or PostgreSQL NOTIFY from other processes) or the next tick. Background timers renew this
 * process's leases, reclaim expired ones from dead processes and purge expired flow keys.
 */
export class Engine {
  readonly owner = `${hostname()}:${process.pid}:${randomToken(4)}`;
  private readonly executor: Executor;
  private readonly leaseMs: number;
  private running = false;
  private inFlight = 0;
  private readonly active = new Set<Promise<void>>();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  /** the last lease was limited by free workers or took all it asked for: more may be due */
  private backlog = false;
  private loopDone: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  /** other processes on the same PostgreSQL database */
  private readonly wakeups: PostgresWakeups | null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly options: EngineOptions,
  ) {
    // A run goes straight on to its next call while this process has a free worker for others.
    this.executor = new Executor(ctx, this.owner, () => this.running && this.inFlight < this.options.workers);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.wakeups = ctx.sql.dialect === "postgres" ? new PostgresWakeups(ctx.sql as PostgresSql, this.owner) : null;
  }

  get busy(): number {
    return this.inFlight;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.ctx.bus.subscribe("queue.ready", () => {
      this.wake();
      if (this.running) this.wakeups?.notify();
    });
    await this.wakeups?.listen(() => this.wake());
    this.every(this.leaseMs / 3, () => extendLeases(this.ctx.sql, this.owner, Date.now() + this.leaseMs));
    // Look for dead processes' leases a few times per lease length (at most every 2 s).
    this.every(Math.min(2000, Math.max(100, this.leaseMs / 4)), () => reclaimExpired(this.ctx.sql, Date.now()));
    this.every(60_000, () => purgeExpiredKeys(this.ctx.sql, Date.now()));
    this.every(60_000, () => purgeExpiredEventIds(this.ctx.sql, Date.now()));
    this.every(60_000, () => purgeIdlePartitions(this.ctx.sql));
    this.loopDone = this.loop();
  }

  /** Stops leasing, lets calls in flight finish (up to `graceMs`), then hands back what is left. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    this.unsubscribe?.();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.loopDone;
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.active]), new Promise((r) => (grace = setTimeout(r, graceMs)))]);
    clearTimeout(grace);
    // Whatever is still in flight goes back to the queue for another process (or the next start).
    await this.ctx.sql
      .run(`UPDATE queue_items SET leased_until = ? WHERE lease_owner = ? AND state = 1`, [Date.now() - 1, this.owner])
      .then(() => reclaimExpired(this.ctx.sql, Date.now()))
      .catch(() => undefined);
    await this.wakeups?.stop();
  }

  wake(): void {
    this.woken = true;
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || !this.running) return;
      busy = true;
      fn()
        .catch((error: unknown) => logger.warn({ err: error }, "engine housekeeping failed"))
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.woken = false;
      const free = this.options.workers - this.inFlight;
      let leased = 0;
      let asked = 0;
      if (free <= 0) this.backlog = true;
      if (free > 0) {
        asked = Math.min(free, 100);
        try {
          const items = await leaseItems(this.ctx.sql, { now: Date.now(), owner: this.owner, leaseMs: this.leaseMs, max: asked });
          leased = items.length;
          this.backlog = leased === asked;
          for (const item of items) this.dispatch(item);
          if (failures > 0) logger.warn({ failures }, "leasing works again");
          failures = 0;
        } catch (error) {
          // The database is down or refusing: say so once, then retry with growing pauses
          // instead of logging (and hammering it) every tick.
          if (failures === 0) logger.error({ err: error }, "leasing failed; retrying with backoff until the database answers");
          failures++;
        }
      }
      if (!this.running) break;
      if (failures === 0 && leased > 0 && leased === asked) continue;
      if (failures === 0 && this.woken) continue;
      const pause = failures === 0 ? this.options.tick : Math.min(5000, this.options.tick * 2 ** Math.min(failures, 6));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private dispatch(item: Parameters<Executor["handle"]>[0]): void {
    this.inFlight++;
    const p = this.executor.handle(item).finally(() => {
      this.inFlight--;
      this.active.delete(p);
      // A freed worker leases again only if work was left waiting for one, or if this item
      // held concurrency slots (their partitions may be startable now). New work announces
      // itself (queue.ready, NOTIFY); an idle lease after every call was most of the leasing.
      if (this.backlog || item.slotKeys.length > 0) this.wake();
    });
    this.active.add(p);
  }
}
