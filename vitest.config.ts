import path from "node:path";

import { defineConfig } from "vitest/config";

/**
 * Projects: `unit` (pure lib code, once), `sqlite` and `postgres` (the same server-level tests
 * against each dialect: tests/api, tests/sdk; `*.pg.test.ts` files are PostgreSQL-only,
 * `*.sqlite.test.ts` files there SQLite-only), and
 * `ui` (Chromium, once, SQLite).
 */
const alias = { "@": path.resolve(import.meta.dirname) };
const serverTests = ["tests/api/**/*.test.ts", "tests/sdk/**/*.test.ts"];

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], env: { STEPWISE_TEST_DIALECT: "sqlite" } } },
      {
        extends: true,
        test: { name: "sqlite", include: serverTests, exclude: ["**/*.pg.test.ts"], env: { STEPWISE_TEST_DIALECT: "sqlite" } },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: serverTests,
          exclude: ["**/*.sqlite.test.ts"],
          env: { STEPWISE_TEST_DIALECT: "postgres" },
        },
      },
      {
        extends: true,
        test: { name: "ui", include: ["tests/ui/**/*.test.ts"], env: { STEPWISE_TEST_DIALECT: "sqlite" }, maxWorkers: 1 },
      },
    ],
  },
});
