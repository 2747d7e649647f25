import { z } from "zod";

import { statsRange } from "@/lib/contracts/functions";
import { handle, json, parseWith, searchParams } from "@/lib/http/responses";
import { functionStats } from "@/lib/queries/function-stats";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };
const query = z.object({ range: statsRange.default("1h") });

// GET /api/v1/functions/<id>/stats?range=1h|24h — runs started per bucket, by outcome
export const GET = handle(async (req: Request, { params }: Ctx) => {
  const { range } = parseWith(query, Object.fromEntries(searchParams(req)));
  const rt = getRuntime();
  return json(await functionStats(rt, (await params).id, range));
});
