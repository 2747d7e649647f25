// Bundles the CLI + custom server (server.ts, lib/, the route handlers it dispatches to) into
// dist/stepwise.js. node_modules stay external; Next builds the pages separately (`next build`).
import { build } from "esbuild";

await build({
  entryPoints: ["bin/stepwise.ts"],
  outfile: "dist/stepwise.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  tsconfig: "tsconfig.json",
  logLevel: "warning",
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
console.log("built dist/stepwise.js");
