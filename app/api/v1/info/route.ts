import { handle, json } from "@/lib/http/responses";
import { serverInfo } from "@/lib/queries/info";
import { getRuntime } from "@/lib/runtime/globals";

// GET /api/v1/info — server mode (dev | start), database dialect, version
export const GET = handle(() => json(serverInfo(getRuntime())));
