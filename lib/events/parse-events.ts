import { AppError } from "@/lib/errors";
import { parseWith } from "@/lib/http/responses";

import { eventInputSchema, type EventInput } from "./event-schema";

export const MAX_EVENTS_PER_REQUEST = 5000;

/**
 * Validates a whole `/e/<key>` body — one event object or an array — before anything is
 * stored: the first bad event rejects the request, naming its field (`events[1].name`).
 */
export function parseEvents(body: unknown): EventInput[] {
  if (Array.isArray(body)) {
    if (body.length > MAX_EVENTS_PER_REQUEST)
      throw new AppError(
        "invalid_request",
        `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${body.length})`,
        "events",
      );
    return body.map((event, i) => parseOne(event, ["events", i]));
  }
  return [parseOne(body, [])];
}

function parseOne(event: unknown, path: (string | number)[]): EventInput {
  if (event === null || typeof event !== "object" || Array.isArray(event))
    throw new AppError(
      "invalid_field",
      `${path.length ? `events[${String(path[1])}]` : "the body"} must be an event object`,
      path.length ? `events[${String(path[1])}]` : undefined,
    );
  return normalEvent(event as Record<string, unknown>) ?? parseWith(eventInputSchema, event, path);
}

/**
 * The event as eventInputSchema would answer it, when it is already in normal form (a
 * trimmed name, an object or no `data`, a string id, an integer `ts`, a string `v`): the
 * common case, taken here without zod's per-field machinery and object copies (zod was ~10%
 * of the server's CPU for batches of small events). Anything else — a value to coerce or
 * trim, or an invalid one — answers null and goes through the schema, so the schema stays
 * the one definition of what is valid and of every error message.
 */
function normalEvent(e: Record<string, unknown>): EventInput | null {
  const { name, data, user, id, ts, v } = e;
  if (typeof name !== "string" || name.length === 0 || name.trim() !== name) return null;
  if (data !== undefined && data !== null && (typeof data !== "object" || Array.isArray(data))) return null;
  if (id !== undefined && id !== null && (typeof id !== "string" || id.length === 0 || id.length > 256)) return null;
  if (ts !== undefined && ts !== null && !(typeof ts === "number" && Number.isSafeInteger(ts) && ts >= 0)) return null;
  if (v !== undefined && v !== null && typeof v !== "string") return null;
  const out: EventInput = { name, data: (data as Record<string, unknown> | null | undefined) ?? {} };
  // Keys present in the input stay present (null becomes undefined), as zod answers them.
  if ("user" in e) out.user = user;
  if ("id" in e) out.id = id ?? undefined;
  if ("ts" in e) out.ts = ts ?? undefined;
  if ("v" in e) out.v = v ?? undefined;
  return out;
}
