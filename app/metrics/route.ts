import { handle } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

// GET /metrics — Prometheus text format
export const GET = handle(async () => {
  const rt = getRuntime();
  return new Response(await rt.metrics.render(rt.sql), {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
  });
});
