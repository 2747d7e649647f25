// `npm start` builds once: when dist/ or .next/ is missing (or older than the sources' last
// build marker), run the full build; otherwise start immediately.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("dist/stepwise.js") || !existsSync(".next/BUILD_ID")) {
  console.log("First start: building Stepwise (once)…");
  execSync("npm run build", { stdio: "inherit" });
}
