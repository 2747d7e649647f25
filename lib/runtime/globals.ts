import type { Runtime } from "./runtime";

/**
 * Next.js bundles route handlers apart from the custom server, so a module-level singleton
 * would exist once per bundle. The process's runtime (database, bus, engine) lives on
 * globalThis instead: server.ts sets it before the first request; handlers only read it.
 */
const KEY = Symbol.for("stepwise.runtime");

type Holder = { [KEY]?: Runtime };

export function setRuntime(runtime: Runtime | undefined): void {
  (globalThis as Holder)[KEY] = runtime;
}

export function getRuntime(): Runtime {
  const runtime = (globalThis as Holder)[KEY];
  if (!runtime) throw new Error("Stepwise runtime is not started (run the server with `stepwise dev` or `npm start`)");
  return runtime;
}

export function hasRuntime(): boolean {
  return (globalThis as Holder)[KEY] !== undefined;
}
