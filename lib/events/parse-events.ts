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
  return parseWith(eventInputSchema, event, path);
}
