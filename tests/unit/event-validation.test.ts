import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { MAX_EVENTS_PER_REQUEST, parseEvents } from "@/lib/events/parse-events";

/** The whole-request validation behind POST /e/<key> (lib/events/parse-events.ts). */
function rejection(body: unknown): AppError {
  try {
    parseEvents(body);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("accepted a bad body");
}

describe("parseEvents", () => {
  it("accepts one event or an array, with Inngest's defaults", () => {
    expect(parseEvents({ name: "user.created" })).toEqual([{ name: "user.created", data: {} }]);
    const [e] = parseEvents([{ name: "a", data: { x: 1 }, user: { id: "u" }, id: "ext-1", ts: 1700000000000, v: "2024-01-01" }]);
    expect(e).toEqual({ name: "a", data: { x: 1 }, user: { id: "u" }, id: "ext-1", ts: 1700000000000, v: "2024-01-01" });
    expect(parseEvents({ name: "a", data: null })[0]?.data).toEqual({});
    expect(parseEvents({ name: "a", id: 42 })[0]?.id).toBe("42");
    expect(parseEvents([])).toEqual([]);
    expect(parseEvents(Array.from({ length: MAX_EVENTS_PER_REQUEST }, () => ({ name: "a" })))).toHaveLength(5000);
  });

  it.each([
    [{ data: {} }, "name", /name is required/],
    [{ name: "" }, "name", /must not be empty/],
    [{ name: "   " }, "name", /must not be empty/],
    [{ name: 5 }, "name", /must be a string/],
    [{ name: "a", data: [1, 2] }, "data", /data must be an object/],
    [{ name: "a", data: "text" }, "data", /data must be an object/],
    [{ name: "a", ts: "yesterday" }, "ts", /ts must be a number/],
    [{ name: "a", ts: 1.5 }, "ts", /integer/],
    [{ name: "a", ts: -1 }, "ts", /negative/],
    [{ name: "a", v: 2 }, "v", /v must be a string/],
    [{ name: "a", id: "" }, "id", /id must not be empty/],
    [{ name: "a", id: { x: 1 } }, "id", /id must be a string/],
  ])("rejects %j naming %s", (body, field, message) => {
    const error = rejection(body);
    expect(error.status).toBe(400);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it("names the failing event in an array: events[i].field", () => {
    const error = rejection([{ name: "ok" }, { name: "" }, { name: 3 }]);
    expect(error.field).toBe("events[1].name");
    expect(error.code).toBe("invalid_field");
    expect(rejection([{ name: "ok" }, "nope"]).field).toBe("events[1]");
    expect(rejection([{ name: "ok" }, { name: "x", data: [] }]).field).toBe("events[1].data");
  });

  it("refuses more than 5,000 events, and bodies that are not events", () => {
    const tooMany = rejection(Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => ({ name: "a" })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.field).toBe("events");
    expect(tooMany.message).toMatch(/at most 5000 events/);
    for (const body of ["text", 12, null, true]) expect(rejection(body).status).toBe(400);
  });
});
