import { LiveRefresh } from "@/components/live-refresh";
import { recentActivity } from "@/lib/runs/recent-activity";
import { getRuntime } from "@/lib/runtime/globals";

export const dynamic = "force-dynamic";

const statusColor: Record<string, string> = {
  Completed: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300",
  Failed: "bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-300",
  Running: "bg-sky-100 text-sky-800 dark:bg-sky-900/40 dark:text-sky-300",
  Queued: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  Cancelled: "bg-amber-100 text-amber-800 dark:bg-amber-900/40 dark:text-amber-300",
  Skipped: "bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400",
};

export default async function HomePage() {
  const rt = getRuntime();
  const { runs, events } = await recentActivity(rt.prisma);
  return (
    <main className="mx-auto max-w-6xl px-6 py-8">
      <LiveRefresh topics={["runs", "events"]} />
      <header className="mb-8 flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Stepwise</h1>
        <span className="text-sm text-zinc-500">{rt.options.mode === "dev" ? "Development server" : "Production"}</span>
      </header>
      <div className="grid gap-8 lg:grid-cols-2">
        <section aria-labelledby="runs-heading">
          <h2 id="runs-heading" className="mb-3 text-sm font-medium text-zinc-500 uppercase">
            Recent runs
          </h2>
          {runs.length === 0 ? (
            <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-500 dark:border-zinc-700">
              No runs yet. Send an event to a function&apos;s trigger to start one.
            </p>
          ) : (
            <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
              {runs.map((run) => (
                <li
                  key={run.run_id}
                  className="flex items-center justify-between gap-4 px-4 py-2.5 text-sm"
                  data-run-id={run.run_id}
                >
                  <div className="min-w-0">
                    <div className="truncate font-medium">{run.function_id}</div>
                    <div className="truncate font-mono text-xs text-zinc-500">{run.run_id}</div>
                  </div>
                  <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${statusColor[run.status] ?? ""}`}>
                    {run.status}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="events-heading">
          <h2 id="events-heading" className="mb-3 text-sm font-medium text-zinc-500 uppercase">
            Recent events
          </h2>
          {events.length === 0 ? (
            <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-500 dark:border-zinc-700">
              No events yet. POST one to <code className="font-mono">/e/&lt;key&gt;</code>.
            </p>
          ) : (
            <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
              {events.map((event) => (
                <li key={event.id} className="px-4 py-2.5 text-sm" data-event-id={event.id}>
                  <div className="flex items-center justify-between gap-4">
                    <span className="truncate font-medium">{event.name}</span>
                    <time className="shrink-0 text-xs text-zinc-500" dateTime={event.received_at} title={event.received_at}>
                      {event.received_at.slice(11, 19)}
                    </time>
                  </div>
                  <div className="truncate font-mono text-xs text-zinc-500">{JSON.stringify(event.data)}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}
