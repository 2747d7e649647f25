import { handle, json } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

// GET /dev — v3 SDKs look for a dev server here and only check that the answer is JSON.
export const GET = handle(() => {
  const rt = getRuntime();
  if (rt.options.mode !== "dev") return json({ error: "not a dev server", code: "not_found", status: 404 }, 404);
  return json({
    name: "stepwise",
    mode: "dev",
    version: process.env.npm_package_version ?? null,
    startedAt: new Date(rt.startedAt).toISOString(),
  });
});
