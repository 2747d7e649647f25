import { Environment } from "@marcbachmann/cel-js";

import { AppError } from "@/lib/errors";

/**
 * CEL expressions (trigger `if`, waitForEvent `if`, cancelOn, flow-control keys) compiled once
 * and cached by source. JSON integers are passed as CEL ints so `event.data.n + 1` works;
 * a missing key or a type error while evaluating means "no match", as in Inngest.
 */
const env = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
});

export type Program = (context: Record<string, unknown>) => unknown;

const cache = new Map<string, Program>();

export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(message);
  }
}

export function compileExpression(source: string): Program {
  let program = cache.get(source);
  if (!program) {
    try {
      program = env.parse(source);
    } catch (error) {
      const message = error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
      throw new ExpressionError(source, `invalid expression ${JSON.stringify(source)}: ${message}`);
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(source, program);
  }
  return program;
}

/** A user's expression (a search, a bulk cancellation's `if`): a bad one is a 400 naming `field`. */
export function compileSearch(q: string, field = "q"): Program {
  try {
    return compileExpression(q);
  } catch (error) {
    throw new AppError("invalid_expression", error instanceof ExpressionError ? error.message : String(error), field);
  }
}

/** JSON → CEL values: integral numbers become ints (bigint). */
export function toCel(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCel(v);
    return out;
  }
  return value;
}

/** CEL values → JSON-safe values (ints back to numbers). */
export function fromCel(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromCel(v);
    return out;
  }
  return value;
}

export function evaluateBool(program: Program, context: Record<string, unknown>): boolean {
  try {
    return program(context) === true;
  } catch {
    return false;
  }
}

/** Evaluates to a JSON value, or undefined when evaluation fails. */
export function evaluateValue(program: Program, context: Record<string, unknown>): unknown {
  try {
    return fromCel(program(context));
  } catch {
    return undefined;
  }
}

/** The `event` variable as CEL sees it. */
export function celEvent(event: { id?: string; name: string; data: unknown; ts?: number; user?: unknown; v?: string | null }) {
  return toCel({
    id: event.id,
    name: event.name,
    data: event.data ?? {},
    ts: event.ts,
    user: event.user ?? {},
    v: event.v ?? undefined,
  });
}
