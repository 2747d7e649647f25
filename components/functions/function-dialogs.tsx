"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Ban, Play } from "lucide-react";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { toast } from "sonner";

import { cancellationDto } from "@/lib/contracts/cancellations";
import { invokeResult, type FunctionDto } from "@/lib/contracts/functions";

import { apiSend, errorMessage } from "@/components/data/api";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/states";

const JsonEditor = dynamic(() => import("@/components/ui/json-editor"), {
  ssr: false,
  loading: () => <Skeleton className="h-[220px] w-full rounded-lg" />,
});

/** Invoke: start a run now with a payload (`inngest/function.invoked`, as step.invoke does). */
export function InvokeDialog({ fn, open, onOpenChange }: { fn: FunctionDto; open: boolean; onOpenChange: (o: boolean) => void }) {
  const [text, setText] = useState('{\n  "data": {}\n}');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const router = useRouter();
  useEffect(() => {
    if (open) setError(null);
  }, [open]);
  const submit = async () => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      setError(`Not valid JSON: ${errorMessage(e)}`);
      return;
    }
    setPending(true);
    try {
      const r = await apiSend("POST", `/api/v1/functions/${encodeURIComponent(fn.id)}/invoke`, invokeResult, body);
      onOpenChange(false);
      if (r.runId) {
        toast.success("Run started");
        router.push(`/runs/${r.runId}`);
      } else toast.success("Invocation sent", { description: "A flow-control rule delayed or skipped the run." });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Invoke ${fn.name}`}
      description={
        <>
          Starts a run now. The function receives an <code className="font-mono text-xs">inngest/function.invoked</code> event
          with this <code className="font-mono text-xs">data</code> (and optional <code className="font-mono text-xs">user</code>
          ).
        </>
      }
      width="max-w-2xl"
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button variant="primary" disabled={pending || fn.paused} onClick={() => void submit()} data-testid="invoke-submit">
            <Play /> {pending ? "Starting…" : "Invoke"}
          </Button>
        </>
      }
    >
      <JsonEditor value={text} onChange={setText} height="220px" label="Invocation payload" />
      {error && (
        <p
          className="mt-3 rounded-md bg-rose-500/5 px-3 py-2 font-mono text-xs text-rose-700 ring-1 ring-rose-500/25 ring-inset dark:text-rose-300"
          role="alert"
        >
          {error}
        </p>
      )}
    </Dialog>
  );
}

const localInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/** Bulk cancellation through `POST /v1/cancellations`: a time range and an optional CEL `if`. */
export function CancelRunsDialog({
  fn,
  open,
  onOpenChange,
}: {
  fn: FunctionDto;
  open: boolean;
  onOpenChange: (o: boolean) => void;
}) {
  const qc = useQueryClient();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [expr, setExpr] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  useEffect(() => {
    if (!open) return;
    const now = Date.now();
    setFrom(localInput(now - 3_600_000));
    setTo(localInput(now + 60_000));
    setExpr("");
    setError(null);
  }, [open]);
  const submit = async () => {
    const after = Date.parse(from);
    const before = Date.parse(to);
    if (Number.isNaN(after) || Number.isNaN(before)) {
      setError("Choose both ends of the time range.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      const r = await apiSend("POST", "/v1/cancellations", cancellationDto, {
        function_id: fn.id,
        started_after: new Date(after).toISOString(),
        started_before: new Date(before).toISOString(),
        ...(expr.trim() ? { if: expr.trim() } : {}),
      });
      toast.success(`Cancelled ${r.cancelled} ${r.cancelled === 1 ? "run" : "runs"}`);
      void qc.invalidateQueries({ queryKey: ["cancellations", fn.id] });
      onOpenChange(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Cancel runs"
      description={`Cancels every queued, running, sleeping or waiting run of ${fn.name} queued in this range. Finished runs are not touched.`}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>Keep them</Button>
          <Button variant="danger" disabled={pending} onClick={() => void submit()} data-testid="cancel-runs-submit">
            <Ban /> {pending ? "Cancelling…" : "Cancel runs"}
          </Button>
        </>
      }
    >
      <div className="space-y-4">
        <div className="grid grid-cols-2 gap-3">
          <Field label="Queued after">
            <Input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="cancel-from" />
          </Field>
          <Field label="Queued before">
            <Input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="cancel-to" />
          </Field>
        </div>
        <Field
          label="Only runs whose trigger event matches (optional)"
          hint={
            <>
              CEL over the trigger event, e.g. <code className="font-mono">event.data.userId == &quot;42&quot;</code>
            </>
          }
        >
          <Input
            value={expr}
            onChange={(e) => setExpr(e.target.value)}
            placeholder='event.data.userId == "42"'
            className="font-mono"
            data-testid="cancel-if"
          />
        </Field>
        {error && (
          <p
            className="rounded-md bg-rose-500/5 px-3 py-2 font-mono text-xs text-rose-700 ring-1 ring-rose-500/25 ring-inset dark:text-rose-300"
            role="alert"
          >
            {error}
          </p>
        )}
      </div>
    </Dialog>
  );
}
