import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * WAL checkpoints on a worker thread. By default SQLite checkpoints inside the COMMIT that
 * pushes the WAL past 1,000 pages: it copies those pages into the database file and fsyncs,
 * and with better-sqlite3 that happens on the event loop — every request and call in flight
 * waits (tens of ms on a busy disk, the largest part of the event→call latency's tail). Here
 * a second connection on a worker thread runs PASSIVE checkpoints (they never block readers
 * or writers) a few times a second; the server's connection keeps a far larger automatic
 * threshold only as a safety net should the worker fall behind.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
db.pragma("synchronous = NORMAL");
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // busy or closing: the next round tries again
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage("stopped");
});
`;

/** Pages the server's own connection lets the WAL reach before it checkpoints itself. */
export const SAFETY_NET_CHECKPOINT_PAGES = 10_000;

export class SqliteCheckpointer {
  private readonly worker: Worker;

  constructor(file: string, everyMs = 250) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, everyMs } });
    // A failing checkpointer leaves the safety net in charge; it must not take the server down.
    this.worker.on("error", () => undefined);
    this.worker.unref();
  }

  /** Runs a last checkpoint and closes the worker's connection (before the server's closes). */
  async stop(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.worker.once("message", () => resolve());
      this.worker.once("exit", () => resolve());
      setTimeout(resolve, 5000).unref();
    });
    this.worker.postMessage("stop");
    await stopped;
    await this.worker.terminate();
  }
}
