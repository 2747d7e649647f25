import type { InfoDto } from "@/lib/contracts/info";
import type { Runtime } from "@/lib/runtime/runtime";

import pkg from "../../package.json";

/** What the top bar shows: dev or production, the database and the version. */
export function serverInfo(rt: Pick<Runtime, "options" | "dialect" | "startedAt" | "publicUrl">): InfoDto {
  return {
    mode: rt.options.mode,
    version: pkg.version,
    dialect: rt.dialect,
    startedAt: new Date(rt.startedAt).toISOString(),
    url: rt.publicUrl,
  };
}
