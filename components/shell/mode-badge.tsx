import { FlaskConical, ShieldCheck } from "lucide-react";

import { Tooltip } from "@/components/ui/tooltip";

/** Dev server or production, impossible to confuse (amber vs rose, plus the stripe at the top). */
export function ModeBadge({ mode }: { mode: "dev" | "start" }) {
  const production = mode === "start";
  return (
    <Tooltip
      content={
        production
          ? "Production: only configured event keys are accepted and every call to apps is signed."
          : "Development server: any event key is accepted and calls to apps are not signed."
      }
    >
      <span
        tabIndex={0}
        data-testid="server-mode"
        data-mode={mode}
        className={
          production
            ? "inline-flex h-6 shrink-0 items-center gap-1.5 rounded-md bg-rose-500/10 px-2 text-xs font-semibold text-rose-700 ring-1 ring-rose-500/30 ring-inset dark:text-rose-300"
            : "inline-flex h-6 shrink-0 items-center gap-1.5 rounded-md bg-amber-400/15 px-2 text-xs font-semibold text-amber-800 ring-1 ring-amber-500/30 ring-inset dark:text-amber-300"
        }
      >
        {production ? <ShieldCheck className="size-3.5" aria-hidden /> : <FlaskConical className="size-3.5" aria-hidden />}
        {production ? "Production" : "Dev server"}
      </span>
    </Tooltip>
  );
}
