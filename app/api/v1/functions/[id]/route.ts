import { handle, json, readJson } from "@/lib/http/responses";
import { deleteFunction, getFunction, updateHttpFunction } from "@/lib/registry/function-store";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// GET /api/v1/functions/<id>
export const GET = handle(async (_req: Request, { params }: Ctx) => json(await getFunction(getRuntime(), (await params).id)));

// PUT /api/v1/functions/<id> — replace an HTTP function's definition
export const PUT = handle(async (req: Request, { params }: Ctx) => {
  const { id } = await params;
  return json(await updateHttpFunction(getRuntime(), id, await readJson(req)));
});

// DELETE /api/v1/functions/<id>
export const DELETE = handle(async (_req: Request, { params }: Ctx) => {
  await deleteFunction(getRuntime(), (await params).id);
  return json({ deleted: true });
});
