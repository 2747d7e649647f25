import { compileExpression, type Program } from "@/lib/cel/expressions";
import type { Sql } from "@/lib/db/sql";

import { functionConfigSchema, isEventTrigger, triggerSchema, type FunctionConfig, type Trigger } from "./function-config";

/**
 * The in-memory view of every function, rebuilt whenever the registry changes (this process
 * publishes `registry.changed`; other processes notice the `meta.registry_version` bump).
 * Routing an event is a map lookup plus a short walk over wildcard prefixes, with every
 * expression compiled once per function version.
 */
export interface RegisteredFunction {
  id: string;
  appId: string | null;
  kind: "sdk" | "http";
  name: string;
  url: string;
  triggers: Trigger[];
  config: FunctionConfig;
  paused: boolean;
}

interface TriggerEntry {
  fn: RegisteredFunction;
  program: Program | null;
}

export class FunctionRegistry {
  private functions = new Map<string, RegisteredFunction>();
  private exact = new Map<string, TriggerEntry[]>();
  private wildcards: { prefix: string; entry: TriggerEntry }[] = [];
  version = "";

  get all(): RegisteredFunction[] {
    return [...this.functions.values()];
  }

  get(id: string): RegisteredFunction | undefined {
    return this.functions.get(id);
  }

  /** Every (function, compiled expression) whose event trigger names this event. */
  match(eventName: string): TriggerEntry[] {
    const exact = this.exact.get(eventName);
    if (this.wildcards.length === 0) return exact ?? [];
    const out = exact ? [...exact] : [];
    for (const w of this.wildcards) if (eventName.startsWith(w.prefix)) out.push(w.entry);
    return out;
  }

  replace(functions: RegisteredFunction[], version: string): void {
    const byId = new Map<string, RegisteredFunction>();
    const exact = new Map<string, TriggerEntry[]>();
    const wildcards: { prefix: string; entry: TriggerEntry }[] = [];
    for (const fn of functions) {
      byId.set(fn.id, fn);
      for (const trigger of fn.triggers) {
        if (!isEventTrigger(trigger)) continue;
        const entry: TriggerEntry = { fn, program: trigger.expression ? compileExpression(trigger.expression) : null };
        const star = trigger.event.indexOf("*");
        if (star >= 0) wildcards.push({ prefix: trigger.event.slice(0, star), entry });
        else exact.set(trigger.event, [...(exact.get(trigger.event) ?? []), entry]);
      }
    }
    this.functions = byId;
    this.exact = exact;
    this.wildcards = wildcards;
    this.version = version;
  }

  async load(sql: Sql): Promise<void> {
    const version = await readRegistryVersion(sql);
    const rows = await sql.all<{
      id: string;
      app_id: string | null;
      kind: string;
      name: string;
      url: string;
      triggers: string;
      config: string;
      paused: unknown;
    }>(`SELECT id, app_id, kind, name, url, triggers, config, paused FROM functions`);
    this.replace(rows.map(rowToFunction), version);
  }
}

export function rowToFunction(row: {
  id: string;
  app_id?: string | null;
  appId?: string | null;
  kind: string;
  name: string;
  url: string;
  triggers: string;
  config: string;
  paused: unknown;
}): RegisteredFunction {
  const triggers = triggerSchema.array().safeParse(JSON.parse(row.triggers));
  const config = functionConfigSchema.safeParse(JSON.parse(row.config));
  return {
    id: row.id,
    appId: row.app_id ?? row.appId ?? null,
    kind: row.kind === "sdk" ? "sdk" : "http",
    name: row.name,
    url: row.url,
    // Stored rows were validated on the way in; a row that no longer parses (older version)
    // keeps its function listed but routes nothing rather than crashing the registry.
    triggers: triggers.success ? triggers.data : [],
    config: config.success ? config.data : {},
    paused: row.paused === true || row.paused === 1,
  };
}

/** Any change to the registry writes a new value here; other processes poll it and reload. */
export async function readRegistryVersion(sql: Sql): Promise<string> {
  const row = await sql.get<{ value: string }>(`SELECT value FROM meta WHERE key = 'registry_version'`);
  return row?.value ?? "";
}
