// Writes prisma/<dialect>/schema.prisma from the one model source, prisma/schema.prisma.
// With --check it fails instead of writing when a copy is out of date (CI drift check).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";

const source = readFileSync("prisma/schema.prisma", "utf8");
const check = process.argv.includes("--check");
let stale = false;

for (const dialect of ["sqlite", "postgres"]) {
  const provider = dialect === "sqlite" ? "sqlite" : "postgresql";
  const header = `// GENERATED from prisma/schema.prisma by scripts/db-schemas.mjs. Do not edit.\n`;
  const body = source
    .replace('output     = "../lib/db/generated/DIALECT"', `output     = "../../lib/db/generated/${dialect}"`)
    .replace('  provider = "sqlite"\n  url', `  provider = "${provider}"\n  url`);
  const file = `prisma/${dialect}/schema.prisma`;
  const next = header + body;
  if (check) {
    if (!existsSync(file) || readFileSync(file, "utf8") !== next) {
      console.error(`${file} is out of date: run npm run db:schemas`);
      stale = true;
    }
  } else {
    mkdirSync(`prisma/${dialect}`, { recursive: true });
    writeFileSync(file, next);
  }
}
if (stale) process.exit(1);
