import { handle, json } from "@/lib/http/responses";
import { getV1Event } from "@/lib/queries/v1";
import { getRuntime } from "@/lib/runtime/globals";

// GET /v1/events/<id>
export const GET = handle(async (_req: Request, { params }: { params: Promise<{ id: string }> }) =>
  json({ data: await getV1Event(getRuntime().prisma, (await params).id) }),
);
