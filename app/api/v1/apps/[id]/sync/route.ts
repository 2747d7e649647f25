import { handle, json } from "@/lib/http/responses";
import { resyncApp } from "@/lib/registry/app-sync";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/v1/apps/<id>/sync — sync the app again now
export const POST = handle(async (_req: Request, { params }: Ctx) => json(await resyncApp(getRuntime(), (await params).id)));
