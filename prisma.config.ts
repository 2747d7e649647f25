// Prisma CLI config. The schema engine runs in JS through a driver adapter, so nothing is
// downloaded; PRISMA_SCHEMA_ENGINE_BINARY only stops the CLI from trying.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/false";

import path from "node:path";
import { defineConfig } from "prisma/config";

// STEPWISE_PRISMA_DIALECT picks the schema copy for `generate`/`migrate diff`; DATABASE_URL
// (a file path or postgres:// URL) picks the database the adapter opens.
const dialect =
  process.env.STEPWISE_PRISMA_DIALECT ?? (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "") ? "postgres" : "sqlite");
// The schema reads DATABASE_URL even for `generate`, so give each dialect a well-formed default.
const url = (process.env.DATABASE_URL ??=
  dialect === "postgres" ? "postgresql://127.0.0.1:5432/stepwise" : "file:.stepwise/dev.db");

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", dialect, "schema.prisma"),
  migrations: { path: path.join("prisma", dialect, "migrations") },
  async adapter() {
    if (dialect === "postgres") {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      // A short idle timeout lets the CLI exit as soon as it is done (pg keeps idle clients 10 s).
      return new PrismaPg({ connectionString: url, idleTimeoutMillis: 100 });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: url.replace(/^file:/, "") });
  },
});
