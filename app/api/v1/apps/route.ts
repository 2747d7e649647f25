import { addAppInput } from "@/lib/contracts/apps";
import { handle, json, parseWith, readJson } from "@/lib/http/responses";
import { listApps } from "@/lib/registry/app-store";
import { addApp } from "@/lib/registry/app-sync";
import { getRuntime } from "@/lib/runtime/globals";

// GET /api/v1/apps — every app with its sync state
export const GET = handle(async () => json({ data: await listApps(getRuntime()) }));

// POST /api/v1/apps {url} — add an app by its serve URL and sync it now (a failed sync is kept, with syncError)
export const POST = handle(async (req: Request) => {
  const { url } = parseWith(addAppInput, await readJson(req));
  return json(await addApp(getRuntime(), url), 201);
});
