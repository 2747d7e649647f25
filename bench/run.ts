import { readdirSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { CORE_SECTIONS, type CoreSection, runCoreBench } from "./core";
import { buildOnce, type Dialect, machine, postgresAvailable } from "./support";

/**
 * `npm run bench [-- <section>…] [--db sqlite|postgres] [--seconds N] [--runs N]`
 *
 * Prints figures; it is not a timed test. Sections: the core ones (ingest, latency, runs: see
 * core.ts) and every other bench/<name>.ts that exports a `run…Bench(): Promise<string[]>`
 * (sdk.ts → runSdkBench, dashboard.ts → runDashboardBench, …), found at start so a new bench
 * only has to add its file. With no section named, everything runs.
 */
const HERE = import.meta.dirname;
const NOT_BENCHES = new Set(["run", "core", "support"]);
const PREFERRED_ORDER = ["sdk", "dashboard"];

interface ModuleBench {
  name: string;
  run: () => Promise<string[]>;
}

async function discoverModuleBenches(): Promise<ModuleBench[]> {
  const names = readdirSync(HERE)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_BENCHES.has(n))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const out: ModuleBench[] = [];
  for (const name of names) {
    const mod = (await import(pathToFileURL(path.join(HERE, `${name}.ts`)).href)) as Record<string, unknown>;
    const entry = Object.entries(mod).find(([k, v]) => /^run\w*Bench$/.test(k) && typeof v === "function");
    if (entry) out.push({ name, run: entry[1] as () => Promise<string[]> });
  }
  return out;
}

function rank(name: string): number {
  const i = PREFERRED_ORDER.indexOf(name);
  return i === -1 ? PREFERRED_ORDER.length : i;
}

function parseArgs(argv: string[]) {
  const sections: string[] = [];
  let dialects: Dialect[] = ["sqlite", "postgres"];
  let seconds = 5;
  let runs = 5000;
  let connections = 50;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--db") dialects = value().split(",") as Dialect[];
    else if (a === "--seconds") seconds = Number(value());
    else if (a === "--runs") runs = Number(value());
    else if (a === "--connections") connections = Number(value());
    else if (a === "--help" || a === "-h") {
      console.log("npm run bench -- [ingest|latency|runs|<module>…] [--db sqlite,postgres] [--seconds 5] [--runs 5000]");
      process.exit(0);
    } else sections.push(a);
  }
  return { sections, dialects, seconds, runs, connections };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const modules = await discoverModuleBenches();
  const known = new Set<string>([...CORE_SECTIONS, "core", ...modules.map((m) => m.name)]);
  const unknown = args.sections.filter((s) => !known.has(s));
  if (unknown.length) {
    console.error(`unknown bench section(s): ${unknown.join(", ")}; known: ${[...known].join(", ")}`);
    process.exit(2);
  }
  const all = args.sections.length === 0;
  const wants = (name: string) => all || args.sections.includes(name);
  const core = CORE_SECTIONS.filter((s: CoreSection) => wants(s) || wants("core"));

  buildOnce();
  let dialects = args.dialects;
  if (dialects.includes("postgres") && !(await postgresAvailable())) {
    console.log("(PostgreSQL is not reachable: SQLite only)");
    dialects = dialects.filter((d) => d !== "postgres");
  }

  console.log(`\nStepwise bench — ${machine()} — load average ${loadavg()[0]?.toFixed(1)} at start`);
  console.log(
    `load: autocannon (keep-alive, ${args.connections} connections) and an undici keep-alive pool; ` +
      `servers run in their own processes; ${args.seconds}s per measurement after a 1s warm-up\n`,
  );

  const verdicts: string[] = [];
  if (core.length) {
    console.log(`core (${core.join(", ")})`);
    const result = await runCoreBench({
      sections: core,
      dialects,
      seconds: args.seconds,
      connections: args.connections,
      runs: args.runs,
      print: (line) => console.log(line),
    });
    verdicts.push(...result.verdicts);
  }

  for (const m of modules) {
    if (!wants(m.name)) continue;
    console.log(`\n${m.name}`);
    try {
      for (const line of await m.run()) console.log(`  ${line}`);
    } catch (error) {
      console.log(`  FAILED: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    }
  }

  console.log(`\n(load average ${loadavg()[0]?.toFixed(1)} at the end; other processes share these cores)`);
  if (verdicts.length) {
    console.log("\ntargets (issue 2)");
    for (const v of verdicts) console.log(`  ${v}`);
  }
}

await main();
