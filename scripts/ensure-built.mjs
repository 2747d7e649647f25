// `npm start` builds once: on a fresh clone, and again only when the sources have changed since
// the last build (e.g. after a `git pull`); otherwise it starts immediately.
import { execSync } from "node:child_process";

import { buildEnv, pagesStale, serverStale } from "./build-state.mjs";

if (pagesStale()) {
  console.log("Building Stepwise (once; again only when the sources change)…");
  execSync("npm run build", { stdio: "inherit", env: buildEnv });
} else if (serverStale()) {
  execSync("npm run db:generate && node scripts/build-server.mjs", { stdio: "inherit", env: buildEnv });
}
