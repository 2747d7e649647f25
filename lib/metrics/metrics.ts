import { Counter, Gauge, Histogram, Registry } from "prom-client";

import type { Sql } from "@/lib/db/sql";
import { queueDepth } from "@/lib/queue/queue";
import type { Bus } from "@/lib/realtime/bus";

/**
 * Prometheus metrics for this process: counters fed by the bus (so the engine does not know
 * about metrics), the queue depth read from the database at scrape time, and call latency
 * reported by the executor.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: "stepwise_events_received_total",
    help: "Events accepted and stored",
    registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: "stepwise_run_transitions_total",
    help: "Runs entering each status",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  private readonly depth = new Gauge({
    name: "stepwise_queue_depth",
    help: "Queue items by state (waiting includes timers not yet due)",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });
  readonly callLatency = new Histogram({
    name: "stepwise_step_call_duration_seconds",
    help: "Duration of calls to apps (one step or one HTTP function attempt)",
    labelNames: ["kind"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor(bus: Bus) {
    // Counters are per process (Prometheus sums instances), so other processes' messages are skipped.
    bus.subscribeAll((m) => {
      if (m.remote) return;
      if (m.topic === "events.received") this.events.inc(m.payload.ids.length);
      if (m.topic === "run.changed") this.runs.inc({ status: m.payload.status });
    });
  }

  async render(sql: Sql): Promise<string> {
    const { waiting, leased } = await queueDepth(sql);
    this.depth.set({ state: "waiting" }, waiting);
    this.depth.set({ state: "leased" }, leased);
    return this.registry.metrics();
  }
}
