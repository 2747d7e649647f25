import { authorizeSdkRequest } from "@/lib/auth/sdk-auth";
import { runMemoForSdk } from "@/lib/execution/run-data";
import { handle, json } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// GET /v0/runs/<id>/actions — the run's memoized step results, for SDK calls sent with use_api
export const GET = handle(async (req: Request, { params }: Ctx) => {
  const rt = getRuntime();
  authorizeSdkRequest(rt.options, req.headers.get("authorization"));
  return json(await runMemoForSdk(rt.sql, (await params).id));
});
