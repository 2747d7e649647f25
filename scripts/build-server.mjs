// Bundles the CLI + custom server (server.ts, lib/, the route handlers it dispatches to) into
// dist/stepwise.js. node_modules stay external; Next builds the pages separately (`next build`).
// The bundle is written to a temporary file and renamed, so a server starting meanwhile never
// reads half a file.
import { execSync } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";

import { build } from "esbuild";

execSync("node scripts/gen-routes.mjs", { stdio: "inherit" });
const result = await build({
  entryPoints: ["bin/stepwise.ts"],
  outfile: "dist/stepwise.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  tsconfig: "tsconfig.json",
  logLevel: "warning",
  write: false,
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
mkdirSync("dist", { recursive: true });
for (const file of result.outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
console.log("built dist/stepwise.js");
