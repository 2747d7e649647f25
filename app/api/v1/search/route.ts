import { z } from "zod";

import { handle, json, parseWith, searchParams } from "@/lib/http/responses";
import { dashboardDeps } from "@/lib/queries/deps";
import { searchEverything } from "@/lib/queries/search";
import { getRuntime } from "@/lib/runtime/globals";

const query = z.object({ q: z.string().max(256).default("") });

// GET /api/v1/search?q= — a run or event id, or functions/apps by name
export const GET = handle(async (req: Request) => {
  const { q } = parseWith(query, Object.fromEntries(searchParams(req)));
  return json({ data: await searchEverything(dashboardDeps(getRuntime()), q) });
});
