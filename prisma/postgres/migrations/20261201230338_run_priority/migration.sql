-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 0;

