import type { CancellationDto } from "@/lib/contracts/cancellations";
import type { Cancellation, PrismaDb } from "@/lib/db/prisma";

import { isoTime } from "./dto";

/** Bulk cancellations as `GET /v1/cancellations` lists them (created by lib/commands/bulk-cancel.ts). */
export async function listCancellations(
  prisma: PrismaDb,
  query: { functionId?: string; cursor?: string; limit?: number },
): Promise<{ data: CancellationDto[]; cursor: string | null }> {
  const limit = query.limit ?? 50;
  const rows = await prisma.cancellation.findMany({
    where: {
      ...(query.functionId ? { functionId: query.functionId } : {}),
      ...(query.cursor ? { id: { lt: query.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { data: page.map(toCancellationDto), cursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}

export function toCancellationDto(row: Cancellation): CancellationDto {
  return {
    id: row.id,
    function_id: row.functionId,
    started_after: isoTime(row.startedAfter),
    started_before: isoTime(row.startedBefore),
    if: row.expression,
    cancelled: row.cancelled,
    created_at: isoTime(row.createdAt) as string,
  };
}
