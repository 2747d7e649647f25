import type { ServerOptions } from "@/lib/config/options";
import type { InfoDto } from "@/lib/contracts/info";
import type { Dialect } from "@/lib/db/sql";

import pkg from "../../package.json";

/** What the top bar shows: dev or production, the database and the version. */
export function serverInfo(rt: {
  options: Pick<ServerOptions, "mode">;
  dialect: Dialect;
  startedAt: number;
  publicUrl: string;
}): InfoDto {
  return {
    mode: rt.options.mode,
    version: pkg.version,
    dialect: rt.dialect,
    startedAt: new Date(rt.startedAt).toISOString(),
    url: rt.publicUrl,
  };
}
