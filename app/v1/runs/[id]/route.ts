import { cancelRunById } from "@/lib/commands/cancel";
import { handle, json } from "@/lib/http/responses";
import { getV1Run } from "@/lib/queries/v1";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// GET /v1/runs/<id>
export const GET = handle(async (_req: Request, { params }: Ctx) =>
  json({ data: await getV1Run(getRuntime().prisma, (await params).id) }),
);

// DELETE /v1/runs/<id> — cancel the run
export const DELETE = handle(async (_req: Request, { params }: Ctx) => {
  const rt = getRuntime();
  const { id } = await params;
  await cancelRunById(rt.ctx, id, "cancelled through the API");
  return json({ data: await getV1Run(rt.prisma, id) });
});
