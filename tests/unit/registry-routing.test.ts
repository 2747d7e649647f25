import { describe, expect, it } from "vitest";

import { celEvent, compileExpression, evaluateBool } from "@/lib/cel/expressions";
import { functionConfigSchema, parseCron, triggerSchema } from "@/lib/registry/function-config";
import { httpFunctionInputSchema } from "@/lib/registry/function-store";
import { FunctionRegistry, type RegisteredFunction } from "@/lib/registry/registry";
import { nextSlot } from "@/lib/schedule/cron";

const fn = (id: string, triggers: ({ event: string; expression?: string } | { cron: string })[]): RegisteredFunction => ({
  id,
  appId: null,
  kind: "http",
  name: id,
  url: "http://127.0.0.1/fn",
  triggers: triggers as RegisteredFunction["triggers"],
  config: {},
  paused: false,
});

function registry(...functions: RegisteredFunction[]): FunctionRegistry {
  const r = new FunctionRegistry();
  r.replace(functions, "v1");
  return r;
}

const matched = (r: FunctionRegistry, name: string) =>
  r
    .match(name)
    .map((e) => e.fn.id)
    .sort();

describe("trigger matching", () => {
  const r = registry(
    fn("exact", [{ event: "user.created" }]),
    fn("dots", [{ event: "user.*" }]),
    fn("slashes", [{ event: "user/*" }]),
    fn("two", [{ event: "order.paid" }, { event: "order.refunded" }]),
    fn("cron-only", [{ cron: "0 * * * *" }]),
  );

  it("matches exact names only exactly", () => {
    expect(matched(r, "user.created")).toEqual(["dots", "exact"]);
    expect(matched(r, "user.created.v2")).toEqual(["dots"]);
    expect(matched(r, "User.created")).toEqual([]);
  });

  it("wildcards match by the prefix before the star, in both styles", () => {
    expect(matched(r, "user.deleted")).toEqual(["dots"]);
    expect(matched(r, "user/signed.up")).toEqual(["slashes"]);
    expect(matched(r, "users.created")).toEqual([]);
    expect(matched(r, "user")).toEqual([]);
  });

  it("a function with several triggers is found by each", () => {
    expect(matched(r, "order.paid")).toEqual(["two"]);
    expect(matched(r, "order.refunded")).toEqual(["two"]);
    expect(r.get("cron-only")?.triggers).toEqual([{ cron: "0 * * * *" }]);
  });

  it("compiles each expression once and evaluates it on the event", () => {
    const withExpr = registry(fn("big", [{ event: "order.paid", expression: "event.data.amount > 100" }]));
    const [entry] = withExpr.match("order.paid");
    expect(entry?.program).toBe(compileExpression("event.data.amount > 100"));
    const ctx = (data: Record<string, unknown>) => ({ event: celEvent({ name: "order.paid", data }) });
    expect(evaluateBool(entry!.program!, ctx({ amount: 150 }))).toBe(true);
    expect(evaluateBool(entry!.program!, ctx({ amount: 100.5 }))).toBe(true);
    expect(evaluateBool(entry!.program!, ctx({ amount: 50 }))).toBe(false);
    // A missing field or a type error is "no match", not a crash.
    expect(evaluateBool(entry!.program!, ctx({}))).toBe(false);
    expect(evaluateBool(entry!.program!, ctx({ amount: "lots" }))).toBe(false);
  });
});

describe("registration schema", () => {
  const base = { name: "f", url: "http://127.0.0.1:4000/fn", triggers: [{ event: "a" }] };
  const fieldOf = (body: unknown) => {
    const r = httpFunctionInputSchema.safeParse(body);
    if (r.success) return "accepted";
    const issue = r.error.issues[0]!;
    return issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]].join(".") : issue.path.join(".");
  };

  it("accepts the documented shape", () => {
    expect(fieldOf(base)).toBe("accepted");
    expect(fieldOf({ ...base, id: "my-fn", retries: 2, timeout: "30s" })).toBe("accepted");
    expect(httpFunctionInputSchema.parse({ ...base, timeout: "1m30s" }).timeout).toBe(90_000);
    expect(httpFunctionInputSchema.parse({ ...base, timeout: 250 }).timeout).toBe(250);
    expect(
      fieldOf({ ...base, triggers: [{ cron: "TZ=Europe/Paris 0 9 * * *" }, { event: "b", expression: "event.data.x == 1" }] }),
    ).toBe("accepted");
  });

  it.each([
    [{ ...base, name: undefined }, "name"],
    [{ ...base, url: undefined }, "url"],
    [{ ...base, url: "ftp://x/y" }, "url"],
    [{ ...base, url: "not a url" }, "url"],
    [{ ...base, triggers: [] }, "triggers"],
    [{ ...base, triggers: "a" }, "triggers"],
    [{ ...base, triggers: [{ event: "a", expression: "event.data.x >" }] }, "triggers.0.expression"],
    [{ ...base, triggers: [{ cron: "every day" }] }, "triggers.0.cron"],
    [{ ...base, triggers: [{ cron: "TZ=Mars/Olympus 0 9 * * *" }] }, "triggers.0.cron"],
    [{ ...base, triggers: [{ event: "a", expresion: "x" }] }, "triggers.0.expresion"],
    [{ ...base, timeout: "soon" }, "timeout"],
    [{ ...base, timeout: -5 }, "timeout"],
    [{ ...base, retries: 21 }, "retries"],
    [{ ...base, throttle: { limit: 1, period: "fortnight" } }, "throttle.period"],
    [{ ...base, id: "has spaces" }, "id"],
    [{ ...base, colour: "blue" }, "colour"],
  ])("rejects %j at %s", (body, field) => {
    expect(fieldOf(body)).toBe(field);
  });

  it("cron: optional TZ= or CRON_TZ= prefix, 5 or 6 fields", () => {
    expect(parseCron("TZ=Europe/Paris 0 9 * * *")).toEqual({ pattern: "0 9 * * *", timezone: "Europe/Paris" });
    expect(parseCron("CRON_TZ=UTC */5 * * * *")).toEqual({ pattern: "*/5 * * * *", timezone: "UTC" });
    expect(parseCron("* * * * * *")).toEqual({ pattern: "* * * * * *" });
    expect(triggerSchema.safeParse({ cron: "* * * * * *" }).success).toBe(true);
    // 09:00 in Paris on 2030-01-15 (winter, UTC+1) is 08:00 UTC.
    const after = Date.UTC(2030, 0, 15, 0, 0);
    expect(new Date(nextSlot("TZ=Europe/Paris 0 9 * * *", after)!).toISOString()).toBe("2030-01-15T08:00:00.000Z");
    // Without TZ=, UTC (not the server's local zone).
    expect(new Date(nextSlot("0 9 * * *", after)!).toISOString()).toBe("2030-01-15T09:00:00.000Z");
    // Per-second slots are one second apart.
    const s = nextSlot("* * * * * *", after)!;
    expect(nextSlot("* * * * * *", s)! - s).toBe(1000);
  });

  it("flow-control config keeps the SDK's field names", () => {
    const parsed = functionConfigSchema.parse({ concurrency: 5, throttle: { limit: 2, period: "1m", key: "event.data.user" } });
    expect(parsed.concurrency).toEqual([{ limit: 5 }]);
    expect(parsed.throttle?.key).toBe("event.data.user");
  });
});
