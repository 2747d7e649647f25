// Whether the two build outputs (the server bundle and the Next build) are older than the
// sources they were made from. Shared by `npm start` (build when stale) and `npm test`.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "generated" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function mtime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/** Sources of the pages: a change here needs `next build`. */
export function pagesStale() {
  const sourcesAt = Math.max(...["app", "components", "lib", "public"].map(newestMtime), mtime("next.config.mjs"));
  return sourcesAt > mtime(".next/BUILD_ID");
}

/** Sources of the CLI + custom server bundle: a change here needs scripts/build-server.mjs. */
export function serverStale() {
  const sourcesAt = Math.max(...["app", "lib", "bin", "prisma"].map(newestMtime), mtime("server.ts"));
  return sourcesAt > mtime("dist/stepwise.js");
}

/** Next's anonymous telemetry would try the network on every build; builds here stay offline. */
export const buildEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
