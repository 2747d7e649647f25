"use client";

import { useRouter } from "next/navigation";
import { useCallback, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";

import { cn } from "./cn";

/**
 * Tables of links: rows are reachable with Tab (one at a time), move with ↑/↓ (Home/End), open
 * with Enter or a click; the link inside each row still works for ⌘-click / middle-click.
 */
export function useRowNavigation(hrefs: readonly string[]) {
  const router = useRouter();
  const [active, setActive] = useState(0);
  const body = useRef<HTMLTableSectionElement>(null);

  const focusRow = useCallback((index: number) => {
    const rows = body.current?.querySelectorAll<HTMLElement>("[data-row]");
    if (!rows?.length) return;
    const i = Math.max(0, Math.min(rows.length - 1, index));
    setActive(i);
    rows[i]?.focus();
  }, []);

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLTableSectionElement>) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>("[data-row]");
      if (!row) return;
      const index = Number(row.dataset.index);
      if (e.key === "ArrowDown" || e.key === "j") focusRow(index + 1);
      else if (e.key === "ArrowUp" || e.key === "k") focusRow(index - 1);
      else if (e.key === "Home") focusRow(0);
      else if (e.key === "End") focusRow(hrefs.length - 1);
      else if (e.key === "Enter" && e.target === row) {
        const href = hrefs[index];
        if (href) router.push(href);
      } else return;
      e.preventDefault();
    },
    [focusRow, hrefs, router],
  );

  const rowProps = (index: number) => ({
    "data-row": true,
    "data-index": index,
    tabIndex: index === Math.min(active, hrefs.length - 1) ? 0 : -1,
    onFocus: () => setActive(index),
    onClick: (e: MouseEvent<HTMLTableRowElement>) => {
      if ((e.target as HTMLElement).closest("a,button,input,[role=menuitem]")) return;
      const href = hrefs[index];
      if (!href) return;
      if (e.metaKey || e.ctrlKey) window.open(href, "_blank");
      else router.push(href);
    },
  });

  return { bodyProps: { ref: body, onKeyDown }, rowProps };
}

export function Table({
  children,
  className,
  label,
  minWidth = "min-w-[720px]",
}: {
  children: ReactNode;
  className?: string;
  label: string;
  minWidth?: string;
}) {
  return (
    <div className={cn("overflow-x-auto rounded-xl border border-line bg-panel shadow-xs", className)}>
      <table className={cn("w-full table-fixed border-collapse text-[13px]", minWidth)} aria-label={label}>
        {children}
      </table>
    </div>
  );
}

export function Th({ children, className }: { children?: ReactNode; className?: string }) {
  return (
    <th
      scope="col"
      className={cn(
        "h-9 border-b border-line bg-sunken/60 px-3 text-left text-[11px] font-medium tracking-wide text-muted uppercase first:pl-4 last:pr-4",
        className,
      )}
    >
      {children}
    </th>
  );
}

export const rowClass =
  "group h-11 cursor-pointer border-b border-line last:border-b-0 outline-none transition-colors hover:bg-hover focus-visible:bg-hover focus-visible:shadow-[inset_3px_0_0_var(--accent)]";
export const cellClass = "px-3 first:pl-4 last:pr-4 align-middle";
