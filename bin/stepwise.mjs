#!/usr/bin/env node
// Launches the built CLI (dist/stepwise.js); `npm start` builds it on first use.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../dist/stepwise.js", import.meta.url));
if (!existsSync(entry)) {
  console.error("Stepwise is not built yet: run `npm run build` (or `npm start`, which builds once).");
  process.exit(1);
}
await import(entry);
