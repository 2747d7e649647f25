import { handle, json } from "@/lib/http/responses";
import { deleteApp, getApp } from "@/lib/registry/app-store";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// GET /api/v1/apps/<id>
export const GET = handle(async (_req: Request, { params }: Ctx) => json(await getApp(getRuntime(), (await params).id)));

// DELETE /api/v1/apps/<id> — remove the app and its functions
export const DELETE = handle(async (_req: Request, { params }: Ctx) => {
  await deleteApp(getRuntime(), (await params).id);
  return json({ deleted: true });
});
