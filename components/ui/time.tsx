"use client";

import { formatExact, formatRelative } from "./format";
import { Tooltip } from "./tooltip";
import { useNow } from "./use-now";

/** A relative time ("3m ago") with the exact timestamp on hover and focus. */
export function RelativeTime({ iso, className }: { iso: string | null | undefined; className?: string }) {
  const slow = useNow(10_000);
  // Within a minute and a half, "in 12s" / "8s ago" must tick every second to stay true.
  const near = !!iso && Math.abs(Date.parse(iso) - slow) < 90_000;
  const fast = useNow(1000, near);
  const now = near ? Math.max(fast, slow) : slow;
  if (!iso) return <span className="text-faint">—</span>;
  return (
    <Tooltip content={<span className="font-mono">{formatExact(iso)}</span>}>
      <time dateTime={iso} className={className} suppressHydrationWarning>
        {formatRelative(iso, now)}
      </time>
    </Tooltip>
  );
}
