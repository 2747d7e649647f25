import { eventPayload, type StoredEvent } from "@/lib/events/event-schema";
import { fireBatch, fireDebounce } from "@/lib/flow/schedule-run";
import { logger } from "@/lib/logger";
import { completeItem, requeueItem } from "@/lib/queue/queue";
import type { LeasedItem } from "@/lib/queue/types";
import { maxAttempts } from "@/lib/registry/function-config";
import type { RegisteredFunction } from "@/lib/registry/registry";
import { fireCronSlot } from "@/lib/schedule/cron";
import { inUnit, type EngineContext, type Unit } from "@/lib/state/context";
import { expirePause } from "@/lib/state/pauses";
import { finishTimeout } from "@/lib/state/run-start";
import {
  cancelRun,
  finishRun,
  loadEvents,
  loadRun,
  lockRun,
  markRunning,
  startQueuedRun,
  stepResolved,
  TERMINAL,
  type CallPayload,
  type RunRecord,
} from "@/lib/state/runs";
import { loadMemo, resolveStepRow } from "@/lib/state/steps";

import { queueItemRef } from "./checkpoint";
import { GATEWAY_OPS, performGatewayOps } from "./gateway";
import { applyHttpResult, callHttpFunction } from "./http-function";
import { applySdkAnswer, type ApplyContext } from "./sdk-apply";
import { callSdk } from "./sdk-protocol";

/** Above this, events and steps are not sent with the call; the SDK fetches them (use_api). */
export const USE_API_THRESHOLD_BYTES = 1024 * 1024;

const jsonSize = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

const EVENT_CACHE_RUNS = 500;
const EVENT_CACHE_MAX_BYTES = 16 * 1024;

/** How long an SDK call may take before it counts as a timeout (a step can do real work). */
export const SDK_CALL_TIMEOUT_MS = 15 * 60_000;

/**
 * Executes one leased queue item. Every path ends by completing or re-queueing the item in the
 * same unit as its effects; an unexpected failure re-queues it after a pause instead of losing it.
 */
export class Executor {
  constructor(
    private readonly ctx: EngineContext,
    private readonly owner: string,
    /** whether a run may go straight on to its next call on this worker (see sdk-apply.ts) */
    private readonly canContinue: () => boolean = () => false,
  ) {}

  async handle(item: LeasedItem): Promise<void> {
    try {
      switch (item.kind) {
        case "exec": {
          let next: LeasedItem | null = item;
          while (next) {
            item = next;
            next = await this.execute(next);
          }
          return;
        }
        case "cron":
          return await this.unit(item, (u) =>
            fireCronSlot(u, item.payload as { functionId: string; cron: string; slot: number }),
          );
        case "debounce":
          return await this.unit(item, (u) =>
            fireDebounce(u, this.ctx.registry.get(item.functionId ?? ""), item.payload as { key: string; timerId?: string }),
          );
        case "batch": {
          const p = item.payload as { key: string; batchId: string };
          return await this.unit(item, (u) => fireBatch(u, this.ctx.registry.get(item.functionId ?? ""), p.key, p.batchId));
        }
        case "timeout":
          return await this.unit(item, (u) => this.runTimeout(u, item));
      }
    } catch (error) {
      logger.error({ err: error, item: item.id, kind: item.kind }, "queue item failed unexpectedly; retrying it in 5s");
      await inUnit(this.ctx, (u) =>
        requeueItem(u.tx, item, this.owner, { availableAt: u.now + 5000, attempt: item.attempt + 1 }),
      ).catch(() => undefined);
    }
  }

  /** Runs `fn` and completes the item in one unit. */
  private async unit(item: LeasedItem, fn: (u: Unit) => Promise<void>): Promise<void> {
    await inUnit(this.ctx, async (u) => {
      await fn(u);
      await completeItem(u.tx, item, this.owner);
    });
  }

  private async runTimeout(u: Unit, item: LeasedItem): Promise<void> {
    const p = item.payload as { type: "start" | "finish"; limit: string };
    const run = item.runId ? await lockRun(u, item.runId) : null;
    if (!run || TERMINAL.includes(run.status)) return;
    if (p.type === "start" && run.status === "Queued")
      await cancelRun(u, run.id, `timeouts.start: not started within ${p.limit}`);
    if (p.type === "finish") await cancelRun(u, run.id, `timeouts.finish: not finished within ${p.limit}`);
  }

  /** A run's events never change: the last few hundred runs' small ones are kept in memory. */
  private readonly eventCache = new Map<string, StoredEvent[]>();

  private async runEvents(runId: string, ids: string[]): Promise<StoredEvent[]> {
    const cached = this.eventCache.get(runId);
    if (cached) return cached;
    const events = await loadEvents(this.ctx.sql, ids);
    if (events.length <= 5 && events.every((e) => JSON.stringify(e.data).length < EVENT_CACHE_MAX_BYTES)) {
      if (this.eventCache.size >= EVENT_CACHE_RUNS) this.eventCache.delete(this.eventCache.keys().next().value as string);
      this.eventCache.set(runId, events);
    }
    return events;
  }

  /** Runs one call; answers the run's next call when it continues on this worker at once. */
  private async execute(item: LeasedItem): Promise<LeasedItem | null> {
    const { ctx, owner } = this;
    const runId = item.runId ?? "";
    const payload = item.payload as CallPayload;
    const quick = await startHttpRunQuickly(ctx, item, payload);
    let run = quick?.run ?? (await loadRun(ctx.sql, runId));
    const fn = quick?.fn ?? (run ? ctx.registry.get(run.functionId) : undefined);

    // Before the call: drop work for ended runs, resolve the sleep or timeout this item
    // stands for, and mark the run Running. A plain call of a running run needs none of it,
    // so it costs no transaction.
    const plain = !!quick || (run?.status === "Running" && !!fn && !payload.wake && !payload.pauseTimeout);
    const proceed =
      plain ||
      (await inUnit(ctx, async (u) => {
        const current = await lockRun(u, runId);
        if (!current || TERMINAL.includes(current.status)) {
          await completeItem(u.tx, item, owner);
          return false;
        }
        if (!fn) {
          await finishRun(u, current, {
            status: "Failed",
            error: { name: "FunctionNotFound", message: `function ${current.functionId} is no longer registered` },
          });
          await completeItem(u.tx, item, owner);
          return false;
        }
        if (payload.wake) await resolveStepRow(u, payload.wake.stepRowId, runId, { status: "Completed", memo: null });
        if (payload.pauseTimeout && !(await expirePause(u, runId, payload.pauseTimeout))) {
          await completeItem(u.tx, item, owner);
          return false;
        }
        if (payload.wake || payload.pauseTimeout) {
          // Resolving it may leave other parallel steps pending; with version-2 fan-in the
          // discovery waits for them.
          if (!(await stepResolved(u, current, await resolvedHashedId(u, payload)))) {
            await completeItem(u.tx, item, owner);
            return false;
          }
        }
        if (await markRunning(u, current)) await finishTimeout(u, fn, runId);
        run = current;
        return true;
      }));
    if (!proceed || !run || !fn) return null;

    const startedAt = Date.now();
    const events = await this.runEvents(run.id, run.eventIds);
    if (fn.kind === "http") {
      const result = await callHttpFunction(
        fn,
        run,
        events,
        item.attempt,
        ctx.options.mode === "start" ? ctx.options.signingKey : undefined,
      );
      ctx.observeCall("http", (Date.now() - startedAt) / 1000);
      await inUnit(ctx, async (u) => {
        const current = await lockRun(u, runId);
        if (!current || TERMINAL.includes(current.status)) return void (await completeItem(u.tx, item, owner));
        await applyHttpResult(u, { run: current, fn, item, owner, startedAt, events }, result);
      });
      return null;
    }

    const memo = await loadMemo(ctx.sql, runId);
    const first = events[0];
    const body = {
      event: first ? eventPayload(first) : { name: "", data: {} },
      events: events.map(eventPayload),
      steps: memo.steps,
      ctx: {
        run_id: runId,
        attempt: item.attempt,
        max_attempts: maxAttempts(fn.config),
        disable_immediate_execution: run.disableImmediate,
        use_api: false,
        stack: { stack: memo.stack, current: memo.stack.length },
        // fn_id enables v4 async checkpointing; qi_id ties its checkpoints to this lease.
        fn_id: fn.id,
        qi_id: queueItemRef(item),
      },
      version: run.requestVersion,
      use_api: false,
    };
    // A large run's events and step results are fetched by the SDK (/v0/runs/<id>/…) instead.
    if (jsonSize(body.events) + jsonSize(body.steps) > USE_API_THRESHOLD_BYTES) {
      body.events = [];
      body.steps = {};
      body.ctx.use_api = true;
      body.use_api = true;
    }
    const signing = ctx.options.mode === "start";
    const answer = await callSdk({
      url: fn.url,
      stepId: payload.stepId,
      body,
      signingKey: signing ? ctx.options.signingKey : undefined,
      signingKeyFallback: signing ? ctx.options.signingKeyFallback : undefined,
      serverKind: signing ? "cloud" : "dev",
      runId,
      timeoutMs: fn.config.timeout ?? SDK_CALL_TIMEOUT_MS,
    });
    ctx.observeCall("sdk", (Date.now() - startedAt) / 1000);
    // step.fetch / step.ai.infer: the server's own requests, made before the unit opens.
    const gateway =
      answer.kind === "ops" && answer.ops.some((o) => GATEWAY_OPS.has(o.op))
        ? await performGatewayOps(ctx.sql, run, answer.ops)
        : undefined;
    return inUnit(ctx, async (u) => {
      const current = await lockRun(u, runId);
      if (!current || TERMINAL.includes(current.status)) {
        await completeItem(u.tx, item, owner);
        return null;
      }
      const c: ApplyContext = { u, run: current, fn, item, owner, startedAt, mayContinue: this.canContinue(), gateway };
      await applySdkAnswer(c, answer);
      return c.next ?? null;
    });
  }
}

async function resolvedHashedId(u: Unit, payload: CallPayload): Promise<string | null> {
  const stepRowId = payload.wake?.stepRowId ?? payload.pauseTimeout?.stepRowId;
  if (!stepRowId) return null;
  const row = await u.tx.get<{ hashed_id: string }>(`SELECT hashed_id FROM steps WHERE id = ?`, [stepRowId]);
  return row?.hashed_id ?? null;
}

/**
 * The common start of a plain HTTP function on PostgreSQL — a queued run's first call, with
 * no sleep, wait or finish timeout involved — is a single conditional UPDATE instead of a
 * transaction of four round trips (on SQLite the grouped transaction is cheaper than a commit
 * of its own). Anything else answers undefined and takes the general path.
 */
async function startHttpRunQuickly(
  ctx: EngineContext,
  item: LeasedItem,
  payload: CallPayload,
): Promise<{ run: RunRecord; fn: RegisteredFunction } | undefined> {
  if (ctx.sql.dialect !== "postgres" || payload.wake || payload.pauseTimeout || !item.runId || !item.functionId) return undefined;
  const fn = ctx.registry.get(item.functionId);
  if (!fn || fn.kind !== "http" || fn.config.timeouts?.finish !== undefined) return undefined;
  const run = await startQueuedRun(ctx.sql, item.runId, Date.now());
  if (!run) return undefined;
  ctx.bus.publish("run.changed", { id: run.id, functionId: run.functionId, status: "Running", appId: run.appId });
  return { run, fn };
}
