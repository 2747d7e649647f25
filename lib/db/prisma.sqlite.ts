import type { PrismaDb } from "./prisma";

/** Prisma's own SQLite connection gets the settings of ours (lib/db/sqlite.ts). */
export async function tunePrismaSqlite(prisma: PrismaDb): Promise<void> {
  await prisma.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
  await prisma.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
}
