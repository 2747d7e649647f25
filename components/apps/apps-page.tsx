"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, Boxes, CheckCircle2, Plus, RefreshCw, Trash2 } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { z } from "zod";

import { appDto, type AppDto } from "@/lib/contracts/apps";

import { ApiError, apiSend, errorMessage } from "@/components/data/api";
import { useApps, useFunctions } from "@/components/data/functions";
import { Button, IconButton } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { Field, Input } from "@/components/ui/input";
import { EmptyState, ErrorState, PageHeader, Skeleton } from "@/components/ui/states";
import { cellClass, Table, Th } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/time";

/** `/apps`: synced SDK apps with their sync state; add by URL, resync, remove. */
export function AppsPage() {
  const apps = useApps();
  const functions = useFunctions();
  const [addOpen, setAddOpen] = useState(false);
  const httpCount = functions.data?.data.filter((f) => !f.appId).length ?? 0;

  return (
    <>
      <PageHeader
        title="Apps"
        description="Apps that serve Inngest SDK functions. Stepwise calls each app's URL to sync its functions and to run them."
        actions={
          <Button variant="primary" onClick={() => setAddOpen(true)} data-testid="add-app">
            <Plus /> Add app
          </Button>
        }
      />
      {apps.isPending ? (
        <Skeleton className="h-48 w-full rounded-xl" />
      ) : apps.isError ? (
        <ErrorState
          error={
            apps.error instanceof ApiError && apps.error.status === 404
              ? new Error("This server does not offer the apps API yet.")
              : apps.error
          }
          onRetry={() => void apps.refetch()}
        />
      ) : apps.data.data.length === 0 ? (
        <div className="rounded-xl border border-dashed border-line-strong bg-panel">
          <EmptyState
            icon={Boxes}
            title="No apps synced yet"
            action={
              <Button variant="primary" onClick={() => setAddOpen(true)}>
                <Plus /> Add app by URL
              </Button>
            }
          >
            Point Stepwise at the URL where your app serves the Inngest handler (for example{" "}
            <code className="font-mono text-xs">http://localhost:3000/api/inngest</code>), or start it with{" "}
            <code className="font-mono text-xs">stepwise dev -u &lt;url&gt;</code>.
            {httpCount > 0 && ` ${httpCount} plain HTTP function${httpCount === 1 ? " is" : "s are"} registered without an app.`}
          </EmptyState>
        </div>
      ) : (
        <Table label="Apps">
          <colgroup>
            <col className="w-[22%]" />
            <col />
            <col className="w-[140px]" />
            <col className="w-[96px]" />
            <col className="w-[150px]" />
            <col className="w-[96px]" />
          </colgroup>
          <thead>
            <tr>
              <Th>App</Th>
              <Th>URL</Th>
              <Th>SDK</Th>
              <Th className="text-right">Functions</Th>
              <Th>Last sync</Th>
              <Th />
            </tr>
          </thead>
          <tbody data-testid="apps-body">
            {apps.data.data.map((app) => (
              <AppRow key={app.id} app={app} />
            ))}
          </tbody>
        </Table>
      )}
      <AddAppDialog open={addOpen} onOpenChange={setAddOpen} />
    </>
  );
}

function AppRow({ app }: { app: AppDto }) {
  const qc = useQueryClient();
  const resync = useMutation({
    mutationFn: () => apiSend("POST", `/api/v1/apps/${encodeURIComponent(app.id)}/sync`, appDto),
    onSuccess: (a) => {
      void qc.invalidateQueries({ queryKey: ["apps"] });
      void qc.invalidateQueries({ queryKey: ["functions"] });
      if (a.syncError) toast.error(`Sync failed: ${a.syncError}`);
      else toast.success(`${a.name} synced: ${a.functionCount} function${a.functionCount === 1 ? "" : "s"}`);
    },
    onError: (e) => toast.error(`Could not sync: ${errorMessage(e)}`),
  });
  const remove = () =>
    apiSend("DELETE", `/api/v1/apps/${encodeURIComponent(app.id)}`, z.unknown())
      .then(() => {
        toast.success(`${app.name} removed`);
        void qc.invalidateQueries({ queryKey: ["apps"] });
        void qc.invalidateQueries({ queryKey: ["functions"] });
      })
      .catch((e: unknown) => {
        toast.error(`Could not remove: ${errorMessage(e)}`);
        throw e;
      });
  return (
    <>
      <tr
        className={cn("h-14 border-b border-line last:border-b-0", app.syncError && "border-b-0")}
        data-app-id={app.id}
        data-sync-state={app.syncError ? "error" : "ok"}
      >
        <td className={cn(cellClass, "truncate")}>
          <div className="flex items-center gap-2">
            {app.syncError ? (
              <AlertTriangle className="size-4 shrink-0 text-rose-500" aria-label="Sync error" />
            ) : (
              <CheckCircle2 className="size-4 shrink-0 text-emerald-500" aria-label="Synced" />
            )}
            <div className="min-w-0">
              <div className="truncate font-medium text-fg" title={app.name}>
                {app.name}
              </div>
              <div className="truncate font-mono text-[11px] text-faint" title={app.id}>
                {app.id}
              </div>
            </div>
          </div>
        </td>
        <td className={cn(cellClass, "truncate font-mono text-xs text-muted")} title={app.url ?? ""}>
          {app.url ?? "—"}
        </td>
        <td className={cn(cellClass, "truncate text-xs")} data-testid="app-sdk">
          <div className="text-fg">{app.sdkLanguage ? `${sdkName(app.sdkLanguage)} ${app.sdkVersion ?? ""}` : "—"}</div>
          <div className="text-faint" data-testid="app-framework">
            {app.framework ?? ""}
          </div>
        </td>
        <td className={cn(cellClass, "text-right tabular-nums")} data-testid="app-functions">
          {app.functionCount}
        </td>
        <td className={cn(cellClass, "text-muted")} data-testid="app-last-sync">
          {app.lastSyncedAt ? <RelativeTime iso={app.lastSyncedAt} /> : <span className="text-faint">never</span>}
        </td>
        <td className={cn(cellClass, "text-right")}>
          <div className="flex justify-end gap-0.5">
            <IconButton label="Resync now" onClick={() => resync.mutate()} disabled={resync.isPending || !app.url}>
              <RefreshCw className={cn(resync.isPending && "animate-spin")} />
            </IconButton>
            <ConfirmDialog
              trigger={
                <IconButton label="Remove app">
                  <Trash2 />
                </IconButton>
              }
              title={`Remove ${app.name}?`}
              description="Its functions are removed too: their events no longer start runs. Runs already recorded stay visible."
              confirmLabel="Remove app"
              onConfirm={remove}
            />
          </div>
        </td>
      </tr>
      {app.syncError && (
        <tr className="border-b border-line last:border-b-0" data-app-error={app.id}>
          <td colSpan={6} className="px-4 pb-3">
            <div
              className="rounded-md bg-rose-500/5 px-3 py-2 text-[13px] text-rose-800 ring-1 ring-rose-500/25 ring-inset dark:text-rose-300"
              role="alert"
              data-testid="app-sync-error"
            >
              <span className="font-medium">Sync failed</span>
              {app.lastSyncedAt ? " (the functions of the last good sync stay registered)" : ""}: {app.syncError}
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

/** `js` → `JS SDK`; other languages as they come. */
function sdkName(language: string): string {
  return language === "js" ? "JS SDK" : language === "py" ? "Python SDK" : language === "go" ? "Go SDK" : language;
}

function AddAppDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const qc = useQueryClient();
  const [url, setUrl] = useState("http://localhost:3000/api/inngest");
  const [error, setError] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () => apiSend("POST", "/api/v1/apps", appDto, { url }),
    onSuccess: (a) => {
      void qc.invalidateQueries({ queryKey: ["apps"] });
      void qc.invalidateQueries({ queryKey: ["functions"] });
      // The app is kept (polling and Resync retry it), but the dialog stays open on the reason.
      if (a.syncError)
        return setError(`Could not sync: ${a.syncError}. The app is listed with this error until a sync succeeds.`);
      toast.success(`${a.name} synced: ${a.functionCount} function${a.functionCount === 1 ? "" : "s"}`);
      onOpenChange(false);
    },
    onError: (e) => setError(errorMessage(e)),
  });
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        onOpenChange(o);
        setError(null);
      }}
      title="Add an app"
      description="Stepwise fetches the app's functions from this URL now, and calls it to run them."
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>{error ? "Close" : "Cancel"}</Button>
          <Button
            variant="primary"
            onClick={() => add.mutate()}
            disabled={add.isPending || !url.trim()}
            data-testid="add-app-submit"
          >
            {add.isPending ? "Syncing…" : error ? "Try again" : "Add and sync"}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Field label="App URL" error={error} hint="The URL of the app's Inngest serve handler.">
          <Input value={url} onChange={(e) => setUrl(e.target.value)} className="font-mono" autoFocus data-testid="app-url" />
        </Field>
      </form>
    </Dialog>
  );
}
