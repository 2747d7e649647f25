"use client";

import { formatExact, formatRelative } from "./format";
import { Tooltip } from "./tooltip";
import { useNow } from "./use-now";

/** A relative time ("3m ago") with the exact timestamp on hover and focus. */
export function RelativeTime({ iso, className }: { iso: string | null | undefined; className?: string }) {
  const now = useNow(10_000);
  if (!iso) return <span className="text-faint">—</span>;
  return (
    <Tooltip content={<span className="font-mono">{formatExact(iso)}</span>}>
      <time dateTime={iso} className={className} suppressHydrationWarning>
        {formatRelative(iso, now)}
      </time>
    </Tooltip>
  );
}
