import { authorizeSdkRequest } from "@/lib/auth/sdk-auth";
import { applyCheckpoint } from "@/lib/execution/checkpoint";
import { handle, json, readJson } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ runId: string }> };

// POST /v1/checkpoint/<runId>/async — v4 SDKs report steps finished mid-call (409 = stop: stale call)
export const POST = handle(async (req: Request, { params }: Ctx) => {
  const rt = getRuntime();
  authorizeSdkRequest(rt.options, req.headers.get("authorization"));
  const { runId } = await params;
  return json({ data: await applyCheckpoint(rt.ctx, runId, await readJson(req, 64 * 1024 * 1024)) });
});
