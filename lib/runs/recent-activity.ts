import type { PrismaDb } from "@/lib/db/prisma";

import { toV1Event, toV1Run } from "./v1-queries";

/** The newest runs and events, for the front page. */
export async function recentActivity(prisma: PrismaDb, limit = 25) {
  const [runs, events] = await Promise.all([
    prisma.run.findMany({ orderBy: { id: "desc" }, take: limit }),
    prisma.event.findMany({ orderBy: { id: "desc" }, take: limit }),
  ]);
  return { runs: runs.map(toV1Run), events: events.map(toV1Event) };
}
