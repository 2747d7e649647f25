-- AlterTable
ALTER TABLE "runs" ADD COLUMN "cancelled_by_event_id" TEXT;

-- AlterTable
ALTER TABLE "steps" ADD COLUMN "resolved_by_event_id" TEXT;

-- CreateIndex
CREATE INDEX "runs_cancelled_by_event_id_idx" ON "runs"("cancelled_by_event_id");

-- CreateIndex
CREATE INDEX "steps_resolved_by_event_id_idx" ON "steps"("resolved_by_event_id");

