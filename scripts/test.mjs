// `npm test`: makes sure the server bundle and the Next build are current, runs the whole
// vitest suite (unit, SQLite, PostgreSQL, browser), and ends with one summary line:
// "N passed, N failed, N skipped". Extra arguments go to vitest (e.g. a file or --project).
import { execSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";

import { buildEnv, pagesStale } from "./build-state.mjs";

execSync("node scripts/build-server.mjs", { stdio: "inherit" });
if (pagesStale()) {
  console.log("Pages changed since the last build: running next build…");
  execSync("npx next build", { stdio: "inherit", env: buildEnv });
}

mkdirSync("test-output", { recursive: true });
const report = "test-output/vitest.json";
const result = spawnSync(
  "npx",
  ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit" },
);

let summary = "0 passed, 0 failed, 0 skipped";
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
}
console.log(summary);
process.exit(result.status ?? 1);
