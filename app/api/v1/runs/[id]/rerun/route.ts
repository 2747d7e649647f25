import { rerunRun } from "@/lib/commands/rerun";
import { rerunInput } from "@/lib/contracts/runs";
import { handle, json, parseWith, readOptionalJson } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/v1/runs/<id>/rerun {fromStepId?} — a new run with the same event(s); 201 {id, originRunId, fromStepId, memoized}
export const POST = handle(async (req: Request, { params }: Ctx) => {
  const rt = getRuntime();
  const { id } = await params;
  const body = parseWith(rerunInput, await readOptionalJson(req));
  return json(await rerunRun(rt.ctx, rt.prisma, id, body), 201);
});
