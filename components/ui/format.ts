/** Display formats shared by every page (client-safe, no server imports). */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export function formatRelative(iso: string, now: number): string {
  const t = Date.parse(iso);
  const diff = now - t;
  const abs = Math.abs(diff);
  const suffix = diff >= 0 ? " ago" : "";
  const prefix = diff < 0 ? "in " : "";
  if (abs < 5_000) return diff >= 0 ? "just now" : "in a moment";
  if (abs < 60_000) return `${prefix}${Math.floor(abs / 1000)}s${suffix}`;
  if (abs < 3_600_000) return `${prefix}${Math.floor(abs / 60_000)}m${suffix}`;
  if (abs < 86_400_000) return `${prefix}${Math.floor(abs / 3_600_000)}h${suffix}`;
  return formatShortDate(iso);
}

const short = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const exact = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  hourCycle: "h23",
  timeZoneName: "short",
});
const clock = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

export function formatShortDate(iso: string): string {
  return short.format(new Date(iso));
}

export function formatExact(iso: string): string {
  return exact.format(new Date(iso));
}

export function formatClock(iso: string | number): string {
  return clock.format(new Date(iso));
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Compact one-line JSON for previews. */
export function jsonPreview(value: unknown, max = 120): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? "undefined";
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** When an id (a ULID) was made: its first 10 characters are the time in ms. */
export function timeOfId(id: string): number | null {
  let ms = 0;
  for (const c of id.slice(0, 10).toUpperCase()) {
    const v = CROCKFORD.indexOf(c);
    if (v < 0) return null;
    ms = ms * 32 + v;
  }
  return ms;
}
