import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The layer rules of `npm run check` (.dependency-cruiser.mjs and scripts/check-dialect-sql.mjs),
 * run by their real tools on a fixture tree with one deliberately bad import per rule, and on
 * the repository itself, which keeps every rule.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const DEPCRUISE = path.join(ROOT, "node_modules", ".bin", "depcruise");
const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The fixture: path → source. Each bad file breaks exactly one kind of rule. */
const FIXTURE: Record<string, string> = {
  "tsconfig.json": JSON.stringify({
    compilerOptions: { module: "esnext", moduleResolution: "bundler", jsx: "react-jsx", paths: { "@/*": ["./*"] } },
  }),
  // allowed: downwards, and within a layer
  "lib/errors.ts": "export const notFound = 1;",
  "lib/db/sql.ts": 'import { notFound } from "@/lib/errors";\nexport const sql = notFound;',
  "lib/queue/queue.ts": 'import { sql } from "@/lib/db/sql";\nexport const enqueue = sql;',
  "lib/state/runs.ts": 'import { enqueue } from "@/lib/queue/queue";\nexport const finishRun = enqueue;',
  "lib/execution/engine.ts": 'import { finishRun } from "@/lib/state/runs";\nexport const engine = finishRun;',
  "lib/commands/rerun.ts": 'import { finishRun } from "@/lib/state/runs";\nexport const rerun = finishRun;',
  "lib/queries/list.ts": 'import { sql } from "@/lib/db/sql";\nexport const list = sql;',
  "components/ok.tsx": 'import type { Dto } from "@/lib/contracts/dto";\nexport const ok: Dto | null = null;',
  "lib/contracts/dto.ts": "export interface Dto { id: string }",
  // bad: an import up a layer (the queue reaching into the engine)
  "lib/queue/bad-up.ts": 'import { engine } from "@/lib/execution/engine";\nexport const up = engine;',
  // bad: a cycle between two foundation folders (no layer order between them)
  "lib/time/clock.ts": 'import { parse } from "@/lib/cel/expr";\nexport const clock = () => parse;',
  "lib/cel/expr.ts": 'import { clock } from "@/lib/time/clock";\nexport const parse = () => clock;',
  // bad: the read side reaching a command
  "lib/queries/bad-write.ts": 'import { rerun } from "@/lib/commands/rerun";\nexport const w = rerun;',
  // bad: lib importing React and app/
  "lib/db/bad-ui.ts": 'import { useState } from "react";\nexport const s = useState;',
  "lib/db/bad-app.ts": 'import page from "@/app/page";\nexport const p = page;',
  "app/page.tsx": "export default function Page() { return null; }",
  // bad: a component importing the database
  "components/bad.tsx": 'import { sql } from "@/lib/db/sql";\nexport const b = sql;',
  // bad: a lib folder that belongs to no layer
  "lib/misc/helper.ts": 'import { sql } from "@/lib/db/sql";\nexport const h = sql;',
  // dialect SQL: allowed in a dialect file, refused elsewhere
  "lib/state/lock.postgres.ts": "export const lock = `SELECT id FROM runs WHERE id = ? FOR UPDATE SKIP LOCKED`;",
  "lib/state/bad-lock.ts":
    "// FOR UPDATE in a comment is fine\nexport const lock = `SELECT id FROM runs WHERE id = ? FOR UPDATE`;",
  "lib/db/bad-pragma.ts": 'export const pragma = "PRAGMA synchronous = NORMAL";',
};

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "stepwise-layers-"));
  for (const [file, source] of Object.entries(FIXTURE)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source);
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command and answers its exit code and output (a non-zero exit is an answer here). */
async function exec(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function cruise(cwd: string): Promise<{ violations: Violation[]; modules: number }> {
  const config = path.join(ROOT, ".dependency-cruiser.mjs");
  const { stdout } = await exec(DEPCRUISE, ["lib", "components", "--config", config, "--output-type", "json"], cwd);
  const result = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return { violations: result.summary.violations, modules: result.summary.totalCruised };
}

// Each run starts the real tools; a loaded 2-core machine can take tens of seconds.
describe("layer rules", { timeout: 180_000 }, () => {
  it("refuse each deliberately bad import of the fixture, and only those", async () => {
    const { violations } = await cruise(dir);
    const found = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(found).toEqual(
      [
        "components-talk-to-the-api: components/bad.tsx → lib/db/sql.ts",
        "layer-queue: lib/queue/bad-up.ts → lib/execution/engine.ts",
        "lib-in-no-layer: lib/misc/helper.ts → lib/db/sql.ts",
        "lib-not-ui: lib/db/bad-app.ts → app/page.tsx",
        "lib-not-ui: lib/db/bad-ui.ts → react",
        "no-folder-cycles: lib/cel → lib/time",
        "no-folder-cycles: lib/time → lib/cel",
        "no-module-cycles: lib/cel/expr.ts → lib/time/clock.ts",
        // the import up a layer closes a loop of folders too
        "no-folder-cycles: lib/execution → lib/state",
        "no-folder-cycles: lib/queue → lib/execution",
        "no-folder-cycles: lib/state → lib/queue",
        "read-side-never-writes: lib/queries/bad-write.ts → lib/commands/rerun.ts",
      ].sort(),
    );
  });

  it("refuse dialect-specific SQL outside *.sqlite.ts / *.postgres.ts files", async () => {
    const { code, stderr } = await exec("node", [path.join(ROOT, "scripts", "check-dialect-sql.mjs"), dir], ROOT);
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(stderr).toContain(`${path.join(dir, "lib/state/bad-lock.ts")}:2: FOR UPDATE`);
    expect(stderr).toContain(`${path.join(dir, "lib/db/bad-pragma.ts")}:1: PRAGMA is sqlite SQL`);
    expect(stderr).not.toContain("lock.postgres.ts");
    expect(stderr).toContain("2 dialect-specific statement(s) outside dialect files");
  });

  it("hold for the repository's own lib/ and components/", async () => {
    const { violations, modules } = await cruise(ROOT);
    expect(violations).toEqual([]);
    expect(modules).toBeGreaterThan(100);
    const dialect = await exec("node", [path.join(ROOT, "scripts", "check-dialect-sql.mjs")], ROOT);
    expect(dialect.stderr).toBe("");
    expect(dialect.code).toBe(0);
  });
});
