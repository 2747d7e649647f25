"use client";

import { Ban, Clock3, Hourglass, Info, Send } from "lucide-react";
import { useMemo, useState, type ReactNode } from "react";

import type { RunDetail } from "@/lib/contracts/runs";

import { SendEventDialog } from "@/components/events/send-event-dialog";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { RelativeTime } from "@/components/ui/time";

import { EventLink } from "./event-link";
import { parseStatusReason } from "./status-reason";
import { stepLabel } from "./timeline-model";
import { matchingData } from "./wait-match";

/** Why the run is (or was) where it is: the flow-control rule named, then its detail. */
export function ReasonBanner({
  status,
  reason,
  cancelledBy,
}: {
  status: string;
  reason: string;
  /** the event whose cancelOn matched: named and linked instead of the reason's text */
  cancelledBy?: RunDetail["run"]["cancelledBy"];
}) {
  const parts = parseStatusReason(reason);
  const lead = status === "Queued" ? "Waiting to start" : status === "Cancelled" ? "Cancelled" : "Note";
  const Icon = status === "Queued" ? Clock3 : status === "Cancelled" ? Ban : Info;
  return (
    <div
      className={cn(
        "mt-3 flex items-start gap-2 rounded-lg px-3 py-2 text-[13px] ring-1 ring-inset",
        status === "Queued"
          ? "bg-sky-500/5 text-sky-800 ring-sky-500/20 dark:text-sky-300"
          : "bg-amber-500/5 text-amber-800 ring-amber-500/25 dark:text-amber-300",
      )}
      data-testid="status-reason"
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      {cancelledBy ? (
        <div className="flex min-w-0 items-center gap-1.5" data-testid="cancelled-by">
          <span className="font-semibold">Cancelled by event</span>
          <EventLink event={cancelledBy} testId="cancelled-by-link" />
          <span className="text-xs opacity-80">(cancelOn)</span>
        </div>
      ) : (
        <div className="min-w-0">
          <span className="font-semibold">{lead}</span>
          {parts.map((p, i) => (
            <span key={i}>
              {i === 0 ? " — " : "; "}
              {p.rule && <span className="font-medium">{p.rule}: </span>}
              {p.detail}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

/** A line under the run header saying what the run waits on; `trailing` sits at the right. */
const BANNER_TONES = {
  sleep: "bg-violet-500/5 text-violet-800 ring-violet-500/25 dark:text-violet-300",
  wait: "bg-amber-500/5 text-amber-800 ring-amber-500/25 dark:text-amber-300",
} as const;

function HeaderBanner({
  tone,
  icon: Icon,
  testId,
  trailing,
  children,
}: {
  tone: keyof typeof BANNER_TONES;
  icon: typeof Clock3;
  testId: string;
  trailing?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div
      className={`mt-3 flex flex-wrap items-center gap-x-2 gap-y-1 rounded-lg px-3 py-2 text-[13px] ring-1 ring-inset ${BANNER_TONES[tone]}`}
      data-testid={testId}
    >
      <Icon className="size-4" aria-hidden />
      {children}
      {trailing && <span className="ml-auto flex items-center gap-3 text-xs">{trailing}</span>}
    </div>
  );
}

/**
 * A run waiting in step.waitForEvent: what it waits for, and a button that opens the Send event
 * dialog prefilled with a matching event (fields the `if` compares with the trigger event are
 * copied from it).
 */
function WaitBanner({ wait, detail }: { wait: RunDetail["waits"][number]; detail: RunDetail }) {
  const [open, setOpen] = useState(false);
  const initial = useMemo(
    () => ({ name: wait.eventName, data: matchingData(wait.expression, detail.events[0]?.data ?? {}) }),
    [wait.eventName, wait.expression, detail.events],
  );
  return (
    <HeaderBanner
      tone="wait"
      icon={Hourglass}
      testId="wait-banner"
      trailing={
        <>
          {wait.expiresAt && (
            <span>
              times out <RelativeTime iso={wait.expiresAt} />
            </span>
          )}
          <Button size="sm" onClick={() => setOpen(true)} data-testid="send-awaited-event">
            <Send /> Send {wait.eventName}
          </Button>
        </>
      }
    >
      Waiting for <span className="font-mono">{wait.eventName}</span>
      {wait.expression && <span className="font-mono text-xs opacity-80">if {wait.expression}</span>}
      <SendEventDialog open={open} onOpenChange={setOpen} initial={initial} title={`Send ${wait.eventName}`} />
    </HeaderBanner>
  );
}

/** What a run in flight waits on: its sleeps, event waits and signal waits, one line each. */
export function WaitingBanners({ detail }: { detail: RunDetail }) {
  return (
    <>
      {detail.steps
        .filter((st) => st.op === "Sleep" && st.status === "Sleeping")
        .map((st) => (
          <HeaderBanner
            key={st.id}
            tone="sleep"
            icon={Clock3}
            testId="sleep-banner"
            trailing={
              st.wakeAt && (
                <span>
                  wakes <RelativeTime iso={st.wakeAt} />
                </span>
              )
            }
          >
            Sleeping in <span className="font-mono">{stepLabel(st)}</span>
          </HeaderBanner>
        ))}
      {detail.waits
        .filter((w) => w.kind === "wait")
        .map((w) => (
          <WaitBanner key={w.id} wait={w} detail={detail} />
        ))}
      {detail.waits
        .filter((w) => w.kind === "signal")
        .map((w) => (
          <HeaderBanner
            key={w.id}
            tone="wait"
            icon={Hourglass}
            testId="signal-banner"
            trailing={
              w.expiresAt && (
                <span>
                  times out <RelativeTime iso={w.expiresAt} />
                </span>
              )
            }
          >
            Waiting for signal <span className="font-mono">{w.signal}</span>
          </HeaderBanner>
        ))}
    </>
  );
}
