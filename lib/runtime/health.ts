import type { Runtime } from "./runtime";

export interface Health {
  status: "ok" | "unavailable";
  mode: "dev" | "start";
  database: { dialect: string; ok: boolean; error?: string };
  uptimeSeconds: number;
}

export async function checkHealth(rt: Runtime): Promise<Health> {
  let ok = true;
  let error: string | undefined;
  try {
    await rt.sql.ping();
  } catch (e) {
    ok = false;
    error = e instanceof Error ? e.message : String(e);
  }
  return {
    status: ok ? "ok" : "unavailable",
    mode: rt.options.mode,
    database: { dialect: rt.dialect, ok, ...(error ? { error } : {}) },
    uptimeSeconds: Math.round((Date.now() - rt.startedAt) / 1000),
  };
}
