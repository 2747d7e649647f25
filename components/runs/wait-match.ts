/**
 * The data of an event that would satisfy a waitForEvent's `if`, as far as it can be read off
 * simple clauses joined by `&&`: `async.data.a == event.data.b` (either side round) copies the
 * trigger event's value, `async.data.a == "x"` (or a number or boolean) copies the literal.
 * Anything else is left for the person sending the event to fill in.
 */
const ASYNC = /^async\.data\.([\w.]+)$/;
const EVENT = /^event\.data\.([\w.]+)$/;
const LITERAL = /^("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false)$/;

export function matchingData(expression: string | null, triggerData: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (!expression) return data;
  for (const clause of expression.split("&&")) {
    const sides = clause.split("==").map((x) => x.trim());
    if (sides.length !== 2) continue;
    const [left, right] = sides as [string, string];
    const target = ASYNC.exec(left) ? left : ASYNC.exec(right) ? right : null;
    if (!target) continue;
    const other = target === left ? right : left;
    const path = (ASYNC.exec(target) as RegExpExecArray)[1] as string;
    const fromEvent = EVENT.exec(other);
    if (fromEvent) setPath(data, path, getPath(triggerData, fromEvent[1] as string));
    else if (LITERAL.test(other)) setPath(data, path, JSON.parse(other) as unknown);
  }
  return data;
}

function getPath(obj: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = target;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    o = (next && typeof next === "object" ? next : (o[k] = {})) as Record<string, unknown>;
  }
  o[keys[keys.length - 1] as string] = value;
}
