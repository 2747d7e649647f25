/** Queue vocabulary shared by enqueue, lease and the engine's item handlers. */
export type ItemKind = "exec" | "cron" | "debounce" | "batch" | "timeout";

export interface SlotSpec {
  key: string;
  limit: number;
}

/** A virtual queue. Items of one partition start in order; partitions are served fairly. */
export interface PartitionSpec {
  id: string;
  functionId: string | null;
  /** at most two concurrency slots every item of the partition must fit in */
  slots: SlotSpec[];
}

export interface NewItem {
  id: string;
  kind: ItemKind;
  runId?: string | null;
  functionId?: string | null;
  payload: unknown;
  availableAt: number;
  attempt?: number;
  partition: PartitionSpec;
}

export interface LeasedItem {
  id: string;
  partitionId: string;
  kind: ItemKind;
  runId: string | null;
  functionId: string | null;
  payload: unknown;
  attempt: number;
  availableAt: number;
  leasedAt: number;
  /** the slots this lease holds, released when the item completes or is released */
  slotKeys: string[];
}

/** The partition for work with no concurrency rule (timers, cron slots). */
export const systemPartition = (functionId: string | null): PartitionSpec => ({
  id: functionId ? `sys:${functionId}` : "sys",
  functionId,
  slots: [],
});
