"use client";

import { Send } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useEffect, useState } from "react";
import { toast } from "sonner";

import { sendEventResult } from "@/lib/contracts/events";

import { ApiError, apiSend, errorMessage } from "@/components/data/api";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/states";

const JsonEditor = dynamic(() => import("@/components/ui/json-editor"), {
  ssr: false,
  loading: () => <Skeleton className="h-[280px] w-full rounded-lg" />,
});

export const EXAMPLE_EVENT = { name: "app/user.created", data: { userId: "42", email: "ada@example.com" } };

/**
 * Send an event (or an array of events) from the dashboard: a JSON editor, validated by the
 * server exactly as `/e/<key>` validates it; the first problem is shown with its field.
 */
export function SendEventDialog({
  open,
  onOpenChange,
  initial,
  title = "Send event",
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  initial?: unknown;
  title?: string;
}) {
  const [text, setText] = useState(() => JSON.stringify(initial ?? EXAMPLE_EVENT, null, 2));
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  useEffect(() => {
    if (open) {
      setText(JSON.stringify(initial ?? EXAMPLE_EVENT, null, 2));
      setError(null);
    }
  }, [open, initial]);

  const submit = async () => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      setError(`Not valid JSON: ${errorMessage(e)}`);
      return;
    }
    setPending(true);
    setError(null);
    try {
      const result = await apiSend("POST", "/api/v1/events", sendEventResult, body);
      const first = result.ids[0];
      toast.success(result.ids.length === 1 ? "Event sent" : `${result.ids.length} events sent`, {
        description: first ? (
          <Link href={`/events/${first}`} className="font-mono underline">
            {first}
          </Link>
        ) : undefined,
      });
      onOpenChange(false);
    } catch (e) {
      setError(e instanceof ApiError && e.field ? `${e.message}` : errorMessage(e));
    } finally {
      setPending(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      description={
        <>
          One event <code className="font-mono text-xs">{"{name, data, user?, id?, ts?}"}</code> or an array of them — checked
          exactly as <code className="font-mono text-xs">POST /e/&lt;key&gt;</code> checks them.
        </>
      }
      width="max-w-2xl"
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button variant="primary" onClick={() => void submit()} disabled={pending} data-testid="send-event-submit">
            <Send /> {pending ? "Sending…" : "Send event"}
          </Button>
        </>
      }
    >
      <JsonEditor value={text} onChange={setText} label="Event JSON" />
      {error && (
        <p
          className="mt-3 rounded-md bg-rose-500/5 px-3 py-2 font-mono text-xs text-rose-700 ring-1 ring-rose-500/25 ring-inset dark:text-rose-300"
          role="alert"
          data-testid="send-event-error"
        >
          {error}
        </p>
      )}
    </Dialog>
  );
}
