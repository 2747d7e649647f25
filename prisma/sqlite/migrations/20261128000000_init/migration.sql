-- CreateTable
CREATE TABLE "apps" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "url" TEXT,
    "sdk_language" TEXT,
    "sdk_version" TEXT,
    "framework" TEXT,
    "app_version" TEXT,
    "sync_kind" TEXT,
    "last_synced_at" BIGINT,
    "sync_error" TEXT,
    "checksum" TEXT,
    "created_at" BIGINT NOT NULL,
    "updated_at" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "functions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "app_id" TEXT,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "triggers" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "created_at" BIGINT NOT NULL,
    "updated_at" BIGINT NOT NULL,
    CONSTRAINT "functions_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "events" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "user" TEXT,
    "ts" BIGINT NOT NULL,
    "v" TEXT,
    "external_id" TEXT,
    "received_at" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "event_idempotency" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "event_id" TEXT NOT NULL,
    "expires_at" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "runs" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "function_id" TEXT NOT NULL,
    "app_id" TEXT,
    "event_id" TEXT,
    "event_ids" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "cron" TEXT,
    "status" TEXT NOT NULL,
    "status_reason" TEXT,
    "output" TEXT,
    "error" TEXT,
    "request_version" INTEGER NOT NULL DEFAULT -1,
    "disable_immediate" BOOLEAN NOT NULL DEFAULT false,
    "pending_steps" TEXT,
    "dedupe_key" TEXT,
    "singleton_key" TEXT,
    "partition" TEXT,
    "invocation" TEXT,
    "origin_run_id" TEXT,
    "origin_step_id" TEXT,
    "queued_at" BIGINT NOT NULL,
    "started_at" BIGINT,
    "ended_at" BIGINT,
    "updated_at" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "run_events" (
    "event_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,

    PRIMARY KEY ("event_id", "run_id")
);

-- CreateTable
CREATE TABLE "steps" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "run_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "hashed_id" TEXT NOT NULL,
    "name" TEXT,
    "display_name" TEXT,
    "op" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "input" TEXT,
    "output" TEXT,
    "error" TEXT,
    "memo" TEXT,
    "is_memo" BOOLEAN NOT NULL DEFAULT false,
    "started_at" BIGINT NOT NULL,
    "ended_at" BIGINT,
    "wake_at" BIGINT
);

-- CreateTable
CREATE TABLE "pauses" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "run_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "step_id" TEXT,
    "step_row_id" TEXT,
    "event_name" TEXT NOT NULL,
    "expression" TEXT,
    "match_key" TEXT,
    "created_at" BIGINT NOT NULL,
    "expires_at" BIGINT
);

-- CreateTable
CREATE TABLE "queue_items" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "partition_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "run_id" TEXT,
    "function_id" TEXT,
    "payload" TEXT NOT NULL,
    "state" INTEGER NOT NULL DEFAULT 0,
    "available_at" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "lease_owner" TEXT,
    "leased_at" BIGINT,
    "leased_until" BIGINT,
    "created_at" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "queue_partitions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "function_id" TEXT,
    "next_at" BIGINT,
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "blocked_on" TEXT,
    "slot1_key" TEXT,
    "slot1_limit" INTEGER,
    "slot2_key" TEXT,
    "slot2_limit" INTEGER
);

-- CreateTable
CREATE TABLE "concurrency_slots" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "in_flight" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "flow_keys" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT,
    "tat" BIGINT,
    "expires_at" BIGINT
);

-- CreateTable
CREATE TABLE "cancellations" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "function_id" TEXT NOT NULL,
    "started_after" BIGINT,
    "started_before" BIGINT,
    "expression" TEXT,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "created_at" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "meta" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "functions_app_id_idx" ON "functions"("app_id");

-- CreateIndex
CREATE INDEX "events_name_id_idx" ON "events"("name", "id");

-- CreateIndex
CREATE INDEX "event_idempotency_expires_at_idx" ON "event_idempotency"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "runs_dedupe_key_key" ON "runs"("dedupe_key");

-- CreateIndex
CREATE INDEX "runs_function_id_id_idx" ON "runs"("function_id", "id");

-- CreateIndex
CREATE INDEX "runs_status_id_idx" ON "runs"("status", "id");

-- CreateIndex
CREATE INDEX "runs_function_id_status_id_idx" ON "runs"("function_id", "status", "id");

-- CreateIndex
CREATE INDEX "runs_app_id_id_idx" ON "runs"("app_id", "id");

-- CreateIndex
CREATE INDEX "runs_event_id_idx" ON "runs"("event_id");

-- CreateIndex
CREATE INDEX "runs_origin_run_id_idx" ON "runs"("origin_run_id");

-- CreateIndex
CREATE INDEX "runs_function_id_singleton_key_status_idx" ON "runs"("function_id", "singleton_key", "status");

-- CreateIndex
CREATE INDEX "steps_run_id_seq_idx" ON "steps"("run_id", "seq");

-- CreateIndex
CREATE INDEX "pauses_event_name_match_key_idx" ON "pauses"("event_name", "match_key");

-- CreateIndex
CREATE INDEX "pauses_run_id_idx" ON "pauses"("run_id");

-- CreateIndex
CREATE INDEX "queue_items_partition_id_state_available_at_id_idx" ON "queue_items"("partition_id", "state", "available_at", "id");

-- CreateIndex
CREATE INDEX "queue_items_state_leased_until_idx" ON "queue_items"("state", "leased_until");

-- CreateIndex
CREATE INDEX "queue_items_run_id_idx" ON "queue_items"("run_id");

-- CreateIndex
CREATE INDEX "queue_partitions_blocked_next_at_idx" ON "queue_partitions"("blocked", "next_at");

-- CreateIndex
CREATE INDEX "queue_partitions_blocked_on_next_at_idx" ON "queue_partitions"("blocked_on", "next_at");

-- CreateIndex
CREATE INDEX "flow_keys_expires_at_idx" ON "flow_keys"("expires_at");

