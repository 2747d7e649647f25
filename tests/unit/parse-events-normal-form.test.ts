import { describe, expect, it } from "vitest";

import { eventInputSchema } from "@/lib/events/event-schema";
import { parseEvents } from "@/lib/events/parse-events";
import { parseWith } from "@/lib/http/responses";

// parseEvents takes events already in normal form without zod; it must answer exactly what
// the schema answers, and leave everything else (coercions, trimming, errors) to the schema.
const inputs: Record<string, unknown>[] = [
  { name: "a" },
  { name: "user.created", data: { user_id: "123", nested: { x: [1, 2] } } },
  { name: "a", data: null, user: null, id: null, ts: null, v: null },
  { name: "a", data: {}, user: { email: "x@y" }, id: "evt-1", ts: 1_700_000_000_000, v: "2024-01-01.1" },
  { name: "a", user: "not an object", extra: "ignored" },
  { name: "  padded  ", data: { a: 1 } },
  { name: "a", id: 42 },
  { name: "a", ts: 0 },
];

describe("parseEvents on events in normal form", () => {
  it.each(inputs.map((input) => [JSON.stringify(input), input]))("%s answers what the schema answers", (_label, input) => {
    expect(parseEvents(input)).toStrictEqual([parseWith(eventInputSchema, input)]);
    expect(parseEvents([input, input])).toStrictEqual([parseWith(eventInputSchema, input), parseWith(eventInputSchema, input)]);
  });

  const invalid: [string, unknown, string][] = [
    ["empty name", { name: "" }, "events[0].name"],
    ["blank name", { name: "   " }, "events[0].name"],
    ["array data", { name: "a", data: [1] }, "events[0].data"],
    ["string data", { name: "a", data: "x" }, "events[0].data"],
    ["empty id", { name: "a", id: "" }, "events[0].id"],
    ["long id", { name: "a", id: "x".repeat(257) }, "events[0].id"],
    ["fractional ts", { name: "a", ts: 1.5 }, "events[0].ts"],
    ["negative ts", { name: "a", ts: -1 }, "events[0].ts"],
    ["numeric v", { name: "a", v: 1 }, "events[0].v"],
  ];
  it.each(invalid)("rejects %s naming the field", (_label, input, field) => {
    expect(() => parseEvents([input])).toThrow(expect.objectContaining({ field }) as Error);
  });
});
