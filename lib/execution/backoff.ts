/**
 * Retry delays. By default Inngest's schedule (15 s doubling to 2 h) plus up to 30 s of jitter;
 * with a base (tests, local tuning) exponential from that base with ±50% jitter.
 */
const SCHEDULE_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 2_400_000, 3_600_000, 7_200_000];

export function retryDelay(attempt: number, baseMs?: number): number {
  if (baseMs) {
    const d = baseMs * 2 ** Math.min(attempt, 16);
    return Math.round(d / 2 + Math.random() * d);
  }
  const step = SCHEDULE_MS[Math.min(attempt, SCHEDULE_MS.length - 1)] as number;
  return step + Math.round(Math.random() * 30_000);
}

/** `Retry-After`: whole seconds or an HTTP/ISO date; answers the retry time, clamped to [1 s, 7 d]. */
export function retryAfterTime(header: string | undefined, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  let at: number;
  if (Number.isFinite(seconds)) at = now + seconds * 1000;
  else {
    const date = Date.parse(header);
    if (Number.isNaN(date)) return null;
    at = date;
  }
  return Math.min(Math.max(at, now + 1000), now + 7 * 86_400_000);
}
