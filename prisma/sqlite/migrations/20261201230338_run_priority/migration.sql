-- AlterTable (hand-written: SQLite adds a column with a constant default in place, without
-- copying the runs table the way Prisma's generated redefinition would)
ALTER TABLE "runs" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;
