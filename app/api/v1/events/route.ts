import { sendEvents } from "@/lib/commands/send-events";
import { eventListQuery } from "@/lib/contracts/events";
import { handle, json, parseWith, readJson, searchParams } from "@/lib/http/responses";
import { dashboardDeps } from "@/lib/queries/deps";
import { listEvents } from "@/lib/queries/events";
import { getRuntime } from "@/lib/runtime/globals";

// GET /api/v1/events?name=&q=&internal=&cursor=&after=&limit= — newest first
export const GET = handle(async (req: Request) => {
  const filter = parseWith(eventListQuery, Object.fromEntries(searchParams(req)));
  return json(await listEvents(dashboardDeps(getRuntime()), filter));
});

// POST /api/v1/events — send one event or an array, validated as /e/<key> validates them
export const POST = handle(async (req: Request) => {
  const rt = getRuntime();
  return json(await sendEvents(rt.ctx, await readJson(req, rt.options.maxRequestBytes)));
});
