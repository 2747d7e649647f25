import { describe, expect, it } from "vitest";

import { retryAfterTime, retryDelay } from "@/lib/execution/backoff";
import { DEFAULT_RETRIES, maxAttempts } from "@/lib/registry/function-config";

describe("retry backoff", () => {
  it("with a base: exponential, jittered within ±50%", () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const nominal = 100 * 2 ** attempt;
      for (let i = 0; i < 200; i++) {
        const d = retryDelay(attempt, 100);
        expect(d).toBeGreaterThanOrEqual(nominal / 2);
        expect(d).toBeLessThanOrEqual(nominal * 1.5);
      }
    }
    // Jitter: not every delay is the same.
    expect(new Set(Array.from({ length: 50 }, () => retryDelay(2, 100))).size).toBeGreaterThan(10);
  });

  it("without a base: Inngest's schedule from 15 s, plus up to 30 s of jitter, capped", () => {
    expect(retryDelay(0)).toBeGreaterThanOrEqual(15_000);
    expect(retryDelay(0)).toBeLessThanOrEqual(45_000);
    expect(retryDelay(1)).toBeGreaterThanOrEqual(30_000);
    expect(retryDelay(50)).toBeLessThanOrEqual(7_200_000 + 30_000);
  });

  it("Retry-After: seconds or a date, clamped to [1 s, 7 d]", () => {
    const now = Date.UTC(2030, 0, 1);
    expect(retryAfterTime(undefined, now)).toBeNull();
    expect(retryAfterTime("nonsense", now)).toBeNull();
    expect(retryAfterTime("5", now)).toBe(now + 5000);
    expect(retryAfterTime("0", now)).toBe(now + 1000);
    expect(retryAfterTime(new Date(now + 60_000).toUTCString(), now)).toBe(now + 60_000);
    expect(retryAfterTime("99999999", now)).toBe(now + 7 * 86_400_000);
  });

  it("retries default to 4 (5 attempts)", () => {
    expect(DEFAULT_RETRIES).toBe(4);
    expect(maxAttempts({})).toBe(5);
    expect(maxAttempts({ retries: 0 })).toBe(1);
    expect(maxAttempts({ retries: 2 })).toBe(3);
  });
});
