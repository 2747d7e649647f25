-- AlterTable
ALTER TABLE "pauses" ADD COLUMN "signal" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "pauses_signal_key" ON "pauses"("signal");

