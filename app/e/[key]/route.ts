import { authorizeEventKey } from "@/lib/auth/event-keys";
import { parseEvents } from "@/lib/events/parse-events";
import { handle, json, readJson } from "@/lib/http/responses";
import { ingestEvents } from "@/lib/ingest/ingest";
import { getRuntime } from "@/lib/runtime/globals";

// POST /e/<key> — accept one event or an array; answers {ids, status: 200}
export const POST = handle(async (req: Request, { params }: { params: Promise<{ key: string }> }) => {
  const { key } = await params;
  const rt = getRuntime();
  // params are decoded already (by the dispatcher and by Next alike): decoding again would turn
  // a key with "%" into a 500.
  authorizeEventKey(rt.options, key);
  const events = parseEvents(await readJson(req, rt.options.maxRequestBytes));
  const { ids } = await ingestEvents(rt.ctx, events, { seed: req.headers.get("x-inngest-event-id-seed") });
  return json({ ids, status: 200 });
});
