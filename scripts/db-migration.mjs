// Creates a new migration for both dialects: the difference between the dialect schema as last
// committed (git HEAD) and the current one. Usage: npm run db:migration -- <name>
// (`prisma migrate dev` needs a shadow database the offline JS engine cannot provide.)
import { execFileSync, execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name_in_snake_case>");
  process.exit(2);
}
execSync("node scripts/db-schemas.mjs", { stdio: "inherit" });
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const tmp = mkdtempSync(path.join(tmpdir(), "stepwise-migration-"));

for (const dialect of ["sqlite", "postgres"]) {
  const schema = `prisma/${dialect}/schema.prisma`;
  const dir = `prisma/${dialect}/migrations`;
  const hasHistory = readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory());
  let from = ["--from-empty"];
  if (hasHistory) {
    const previous = path.join(tmp, `${dialect}.prisma`);
    writeFileSync(previous, execFileSync("git", ["show", `HEAD:${schema}`]));
    from = ["--from-schema-datamodel", previous];
  }
  const env = {
    ...process.env,
    STEPWISE_PRISMA_DIALECT: dialect,
    DATABASE_URL:
      dialect === "sqlite"
        ? `file:${path.join(tmp, "diff.db")}`
        : (process.env.STEPWISE_TEST_PG ?? "postgresql://postgres@127.0.0.1:5432/test"),
  };
  const sql = execFileSync("npx", ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], {
    env,
  }).toString();
  if (!/CREATE|ALTER|DROP/.test(sql)) {
    console.log(`${dialect}: no changes`);
    continue;
  }
  const target = `${dir}/${stamp}_${name}`;
  mkdirSync(target, { recursive: true });
  writeFileSync(`${target}/migration.sql`, sql);
  console.log(`${dialect}: wrote ${target}/migration.sql`);
}
