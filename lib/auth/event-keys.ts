import { timingSafeEqual } from "node:crypto";

import { AppError } from "@/lib/errors";

/** In dev any key is accepted; in production only the configured event keys. */
export function authorizeEventKey(options: { mode: "dev" | "start"; eventKeys: readonly string[] }, key: string): void {
  if (options.mode === "dev") return;
  const given = Buffer.from(key);
  const ok = options.eventKeys.some((k) => {
    const expected = Buffer.from(k);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!ok) throw new AppError("event_key_not_found", "Event key not found");
}
