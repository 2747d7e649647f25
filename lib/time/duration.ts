/**
 * Durations as the Inngest SDKs write them: Go-style compounds with days and weeks
 * ("2h30m10s", "1d", "500ms", "1w2d"). A bare number is milliseconds.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

export function parseDuration(input: string | number): number | null {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : null;
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (text === "") return null;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) return null;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return Math.round(total);
}

/** Sleep targets: a duration ("2s", "1d2h") or an ISO date; answers the wake time. */
export function resolveWakeTime(spec: string, now: number): number | null {
  const ms = parseDuration(spec);
  if (ms !== null) return now + ms;
  const date = Date.parse(spec);
  return Number.isNaN(date) ? null : date;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`;
}
