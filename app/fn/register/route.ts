import { authorizeSdkRequest } from "@/lib/auth/sdk-auth";
import { AppError } from "@/lib/errors";
import { handle, json, readJson } from "@/lib/http/responses";
import { registerApp } from "@/lib/registry/app-sync";
import { getRuntime } from "@/lib/runtime/globals";

// POST /fn/register — an SDK syncs its app (out-of-band). Errors carry `status`: the SDK
// answers the PUT that triggered the sync with it.
export const POST = handle(async (req: Request) => {
  const rt = getRuntime();
  authorizeSdkRequest(rt.options, req.headers.get("authorization"));
  const expected = req.headers.get("x-inngest-expected-server-kind");
  const kind = rt.options.mode === "start" ? "cloud" : "dev";
  if (expected && expected !== kind)
    throw new AppError("invalid_request", `the app expects a ${expected} server, but this server is ${kind}`);
  const { app, modified } = await registerApp(rt, await readJson(req, 16 * 1024 * 1024));
  return json({ ok: true, modified, app_id: app.id });
});
