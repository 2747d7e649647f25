import { z } from "zod";

import { handle, json, parseWith, searchParams } from "@/lib/http/responses";
import { listV1Events } from "@/lib/queries/v1";
import { getRuntime } from "@/lib/runtime/globals";

const query = z.object({
  name: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().min(1).optional(),
});

// GET /v1/events?name=&limit=&cursor= — newest first
export const GET = handle(async (req: Request) => {
  const q = parseWith(query, Object.fromEntries(searchParams(req)));
  return json(await listV1Events(getRuntime().prisma, q));
});
