import path from "node:path";

import type { ServerOptions } from "@/lib/config/options";
import { migrate } from "@/lib/db/migrate";
import { PostgresSql } from "@/lib/db/postgres";
import { createPrisma, type PrismaDb } from "@/lib/db/prisma";
import { tunePrismaSqlite } from "@/lib/db/prisma.sqlite";
import { isPostgresUrl, type Dialect, type Sql } from "@/lib/db/sql";
import { SqliteSql } from "@/lib/db/sqlite";
import { Engine } from "@/lib/execution/engine";
import { closeHttpClient } from "@/lib/http/client";
import { recordEvents } from "@/lib/ingest/ingest";
import { logger } from "@/lib/logger";
import { Metrics } from "@/lib/metrics/metrics";
import { Bus } from "@/lib/realtime/bus";
import { PostgresBusBridge } from "@/lib/realtime/bus-bridge.postgres";
import { AppPoller } from "@/lib/registry/discovery";
import { FunctionRegistry, readRegistryVersion } from "@/lib/registry/registry";
import { syncCronSchedules } from "@/lib/schedule/cron";
import type { EngineContext } from "@/lib/state/context";

import { setRuntime } from "./globals";

/**
 * The process's composition root for the domain: database (hot-path driver + Prisma), bus,
 * registry and engine, started in order and stopped in reverse. server.ts adds HTTP on top.
 */
export interface Runtime {
  readonly options: ServerOptions;
  readonly dialect: Dialect;
  readonly sql: Sql;
  readonly prisma: PrismaDb;
  readonly bus: Bus;
  readonly registry: FunctionRegistry;
  readonly engine: Engine;
  readonly ctx: EngineContext;
  readonly metrics: Metrics;
  readonly startedAt: number;
  /** set by the HTTP layer once listening */
  publicUrl: string;
  /** syncs `-u` apps, polls known apps and discovers new ones (from `listening` on) */
  apps: AppPoller | null;
  /** the HTTP layer is listening on `port`: apps can now call back (out-of-band sync) */
  listening(port: number): void;
  /** reloads functions from the database and re-syncs cron schedules */
  reloadRegistry(reason: string): Promise<void>;
  stop(): Promise<void>;
}

export interface RuntimeInit {
  /** the package root (where prisma/ lives) */
  rootDir: string;
}

export async function startRuntime(options: ServerOptions, init: RuntimeInit): Promise<Runtime> {
  let reloads: Promise<void> = Promise.resolve();
  logger.level = options.logLevel;
  const dialect: Dialect = isPostgresUrl(options.db) ? "postgres" : "sqlite";
  const file = dialect === "sqlite" ? path.resolve(options.db.replace(/^file:/, "")) : "";
  const sql: Sql =
    dialect === "postgres" ? new PostgresSql(options.db, 20) : SqliteSql.open(file, { backgroundCheckpoints: true });
  const migrations = path.join(init.rootDir, "prisma", dialect, "migrations");
  const { applied } = await migrate(sql, migrations);
  if (applied.length) logger.info({ applied }, "database migrated");

  const prisma = createPrisma(dialect, dialect === "postgres" ? options.db : file);
  if (dialect === "sqlite") await tunePrismaSqlite(prisma);

  const bus = new Bus();
  const registry = new FunctionRegistry();
  await registry.load(sql);

  const runtime: Runtime = {
    options,
    dialect,
    sql,
    prisma,
    bus,
    registry,
    metrics: new Metrics(bus),
    engine: undefined as unknown as Engine,
    apps: null,
    ctx: undefined as unknown as EngineContext,
    startedAt: Date.now(),
    publicUrl: `http://127.0.0.1:${options.port}`,
    reloadRegistry(reason: string) {
      // One reload at a time, so an older read can never overwrite a newer one.
      const next = reloads.then(async () => {
        await registry.load(sql);
        await syncCronSchedules(sql, registry);
        logger.debug({ reason, version: registry.version }, "registry reloaded");
      });
      reloads = next.catch(() => undefined);
      return next;
    },
    listening(port: number) {
      runtime.publicUrl = `http://127.0.0.1:${port}`;
      runtime.apps = new AppPoller(runtime, { ...options, ownPort: port });
      runtime.apps.start();
    },
    async stop() {
      clearInterval(poll);
      await runtime.apps?.stop();
      unsubscribe();
      await engine.stop(options.shutdownGraceMs);
      await bridge?.stop();
      // Calls still in flight after the grace period were handed back to the queue: cut them.
      await closeHttpClient();
      await prisma.$disconnect();
      await sql.close();
      setRuntime(undefined);
    },
  };
  const ctx: EngineContext = {
    sql,
    registry,
    bus,
    options,
    publicUrl: () => runtime.publicUrl,
    observeCall: (kind, seconds) => runtime.metrics.callLatency.observe({ kind }, seconds),
    recordEvents,
  };
  const engine = new Engine(ctx, { workers: options.workers, tick: options.tick, leaseMs: options.leaseMs });
  Object.assign(runtime, { engine, ctx });

  // Writers in this process normally reload before they answer (see function-store); this
  // catches any that only announce the change. A reload that finds the version it already has
  // is skipped.
  const unsubscribe = bus.subscribe("registry.changed", ({ reason }) => {
    void readRegistryVersion(sql)
      .then((version) => (version !== registry.version ? runtime.reloadRegistry(reason) : undefined))
      .catch((error: unknown) => logger.error({ err: error }, "registry reload failed"));
  });
  // Other processes change the registry too; their version bump is noticed within a second.
  const poll = setInterval(() => {
    void readRegistryVersion(sql)
      .then((version) => (version !== registry.version ? runtime.reloadRegistry("another process changed it") : undefined))
      .catch(() => undefined);
  }, 1000);
  poll.unref();

  // Several processes on one PostgreSQL database see each other's run and event changes.
  const bridge = sql instanceof PostgresSql ? new PostgresBusBridge(sql, bus) : null;
  await bridge?.start();

  await syncCronSchedules(sql, registry);
  await engine.start();
  setRuntime(runtime);
  return runtime;
}
