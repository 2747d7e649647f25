import { cn } from "@/components/ui/cn";

/**
 * A run's status reason as people read it: the engine writes `<rule>: <detail>` (several joined
 * with "; "), e.g. `rateLimit: more than 1 run per 1m for key "u_1"`. The rule is named in words
 * and set apart from its detail.
 */
const RULES: Record<string, string> = {
  rateLimit: "Rate limit",
  idempotency: "Idempotency",
  singleton: "Singleton",
  debounce: "Debounce",
  batch: "Batch",
  batchEvents: "Batch",
  throttle: "Throttle",
  priority: "Priority",
  concurrency: "Concurrency",
  timeouts: "Timeout",
  timeout: "Timeout",
  cancelOn: "Cancel on",
  paused: "Paused",
};

export interface ReasonPart {
  rule: string | null;
  detail: string;
}

export function parseStatusReason(reason: string): ReasonPart[] {
  return reason
    .split("; ")
    .filter(Boolean)
    .map((part) => {
      const m = /^([A-Za-z]+): (.*)$/s.exec(part);
      const rule = m ? RULES[m[1] as string] : undefined;
      return rule ? { rule, detail: m?.[2] as string } : { rule: null, detail: part };
    });
}

/** One line for tables: "Rate limit · more than 1 run per 1m…", truncated, the whole text on hover. */
export function StatusReasonLine({ reason, className }: { reason: string; className?: string }) {
  const parts = parseStatusReason(reason);
  return (
    <div
      className={cn("truncate text-xs text-amber-700 dark:text-amber-400", className)}
      title={reason}
      data-testid="status-reason-line"
    >
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 && <span className="text-faint"> · </span>}
          {p.rule && <span className="font-medium">{p.rule}: </span>}
          {p.detail}
        </span>
      ))}
    </div>
  );
}
