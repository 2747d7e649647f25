import { authorizeSdkRequest } from "@/lib/auth/sdk-auth";
import { sendSignal } from "@/lib/execution/signals";
import { handle, json, readJson } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

// POST /v1/signals {signal, data} — resumes the run waiting for the signal (404: none waits)
export const POST = handle(async (req: Request) => {
  const rt = getRuntime();
  authorizeSdkRequest(rt.options, req.headers.get("authorization"));
  return json({ data: await sendSignal(rt.ctx, await readJson(req)) });
});
