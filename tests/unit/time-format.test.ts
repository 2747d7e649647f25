import { describe, expect, it } from "vitest";

import { formatClock, formatExact, formatShortDate } from "@/components/ui/format";

// Pages are rendered by Node and hydrated by the browser: both must write the hour after midnight
// as "00" (Node's ICU writes "24" for `hour12: false`, which broke hydration every night).
describe("dashboard time formats", () => {
  const justAfterMidnight = new Date(2026, 0, 2, 0, 5, 9, 120).toISOString();

  it("writes the first hour of the day as 00 in every format", () => {
    expect(formatClock(justAfterMidnight)).toBe("00:05:09");
    expect(formatShortDate(justAfterMidnight)).toMatch(/\b00:05\b/);
    expect(formatExact(justAfterMidnight)).toMatch(/\b00:05:09\.120\b/);
  });
});
