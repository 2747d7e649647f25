import { handle, json } from "@/lib/http/responses";
import { setFunctionPaused } from "@/lib/registry/function-store";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/v1/functions/<id>/resume — start runs for new events again
export const POST = handle(async (_req: Request, { params }: Ctx) =>
  json(await setFunctionPaused(getRuntime(), (await params).id, false)),
);
