import { EventEmitter } from "node:events";

/**
 * The in-process event bus. Engine code publishes after its transaction commits; the realtime
 * hub, metrics and the engine's own wake-ups subscribe. Payloads are small facts, never rows:
 * listeners that need data read it through the same lib functions the API uses.
 */
export type RunStatus = "Queued" | "Running" | "Completed" | "Failed" | "Cancelled" | "Skipped";

export interface BusTopics {
  "run.changed": { id: string; functionId: string; status: RunStatus; appId?: string | null };
  /** `resumed`: a sleep or wait ended (the run's sub-state in lists changes) */
  "step.changed": { runId: string; stepId: string; status: string; resumed?: boolean };
  "events.received": { ids: string[]; names: string[] };
  "registry.changed": { reason: string };
  "apps.changed": { id: string };
  /** new queue work is ready now: wake the leaser */
  "queue.ready": { at: number };
}

export type BusTopic = keyof BusTopics;
export type BusMessage = { [K in BusTopic]: { topic: K; payload: BusTopics[K] } }[BusTopic];

/** A message as `subscribeAll` listeners see it: `remote` when another process published it. */
export type BusEnvelope = BusMessage & { remote?: boolean };

export class Bus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish<K extends BusTopic>(topic: K, payload: BusTopics[K]): void {
    this.emitter.emit(topic, payload);
    this.emitter.emit("*", { topic, payload });
  }

  /** Re-publishes a message another process published (see bus-bridge.postgres.ts). */
  publishRemote(message: BusMessage): void {
    this.emitter.emit(message.topic, message.payload);
    this.emitter.emit("*", { ...message, remote: true });
  }

  publishAll(messages: readonly BusMessage[]): void {
    for (const m of messages) this.publish(m.topic, m.payload);
  }

  subscribe<K extends BusTopic>(topic: K, listener: (payload: BusTopics[K]) => void): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  subscribeAll(listener: (message: BusEnvelope) => void): () => void {
    this.emitter.on("*", listener);
    return () => this.emitter.off("*", listener);
  }
}
