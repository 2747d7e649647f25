"use client";

import { useEffect, useState } from "react";

/**
 * The current time, refreshed every `ms` while `active` (live durations and relative times).
 * `initial` is the server's clock when it rendered the page, so the first client render
 * matches the server's HTML.
 */
export function useNow(ms = 1000, active = true, initial?: number): number {
  const [now, setNow] = useState(() => initial ?? Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms, active]);
  return now;
}
