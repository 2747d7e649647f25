import { handle, json, readJson } from "@/lib/http/responses";
import { listFunctions, registerHttpFunction } from "@/lib/registry/function-store";
import { getRuntime } from "@/lib/runtime/globals";

// GET /api/v1/functions — every function (SDK-synced and HTTP), with triggers and config
export const GET = handle(async () => json({ data: await listFunctions(getRuntime()) }));

// POST /api/v1/functions — register a plain HTTP function
export const POST = handle(async (req: Request) => {
  const rt = getRuntime();
  return json(await registerHttpFunction(rt, await readJson(req)), 201);
});
