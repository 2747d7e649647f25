import { Ban, CircleCheck, CircleDashed, CircleX, Clock3, LoaderCircle, SkipForward } from "lucide-react";

import { cn } from "./cn";

/**
 * Run and step statuses: one colour and one icon each, a fixed width so a row does not shift
 * when its status changes live.
 */
const styles: Record<string, { cls: string; icon: typeof CircleCheck; spin?: boolean }> = {
  Queued: { cls: "bg-zinc-500/10 text-zinc-600 ring-zinc-500/20 dark:text-zinc-300", icon: Clock3 },
  Running: { cls: "bg-sky-500/10 text-sky-700 ring-sky-500/25 dark:text-sky-300", icon: LoaderCircle, spin: true },
  Completed: { cls: "bg-emerald-500/10 text-emerald-700 ring-emerald-500/25 dark:text-emerald-300", icon: CircleCheck },
  Failed: { cls: "bg-rose-500/10 text-rose-700 ring-rose-500/25 dark:text-rose-300", icon: CircleX },
  Cancelled: { cls: "bg-amber-500/10 text-amber-700 ring-amber-500/25 dark:text-amber-300", icon: Ban },
  Skipped: { cls: "bg-zinc-500/5 text-zinc-500 ring-zinc-500/15 dark:text-zinc-400", icon: SkipForward },
  // step statuses
  Errored: { cls: "bg-rose-500/10 text-rose-700 ring-rose-500/25 dark:text-rose-300", icon: CircleX },
  Sleeping: { cls: "bg-violet-500/10 text-violet-700 ring-violet-500/25 dark:text-violet-300", icon: Clock3 },
  Waiting: { cls: "bg-amber-500/10 text-amber-700 ring-amber-500/25 dark:text-amber-300", icon: CircleDashed },
  Invoking: { cls: "bg-sky-500/10 text-sky-700 ring-sky-500/25 dark:text-sky-300", icon: LoaderCircle, spin: true },
  TimedOut: { cls: "bg-rose-500/10 text-rose-700 ring-rose-500/25 dark:text-rose-300", icon: Clock3 },
};

export function StatusBadge({ status, className, compact }: { status: string; className?: string; compact?: boolean }) {
  const s = styles[status] ?? styles.Queued!;
  const Icon = s.icon;
  return (
    <span
      data-status={status}
      className={cn(
        "inline-flex h-5.5 items-center gap-1 rounded-full px-2 text-xs font-medium ring-1 ring-inset",
        compact ? "" : "w-[104px]",
        s.cls,
        className,
      )}
    >
      <Icon className={cn("size-3.5 shrink-0", s.spin && "animate-spin [animation-duration:1.6s]")} aria-hidden />
      {status === "TimedOut" ? "Timed out" : status}
    </span>
  );
}

/** The dot colour of a status, for timelines and charts. */
export const statusColor: Record<string, string> = {
  Queued: "bg-zinc-400 dark:bg-zinc-500",
  Running: "bg-sky-500",
  Completed: "bg-emerald-500",
  Failed: "bg-rose-500",
  Errored: "bg-rose-500",
  Cancelled: "bg-amber-500",
  Skipped: "bg-zinc-300 dark:bg-zinc-600",
  Sleeping: "bg-violet-500",
  Waiting: "bg-amber-500",
  Invoking: "bg-sky-500",
  TimedOut: "bg-rose-500",
};
