import { Suspense } from "react";

import { RECENT_EVENTS_LIMIT } from "@/components/events/recent";
import { apiParams, filtersFromParams } from "@/components/runs/filters";
import { RunsPage } from "@/components/runs/runs-page";
import { eventListQuery } from "@/lib/contracts/events";
import { runListQuery } from "@/lib/contracts/runs";
import { dashboardDeps } from "@/lib/queries/deps";
import { listEvents } from "@/lib/queries/events";
import { listRuns } from "@/lib/queries/run-list";
import { getRuntime } from "@/lib/runtime/globals";

export type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The runs home page, served on `/` and `/runs`: the first page of runs and the recent events
 * are rendered on the server (the same lib calls as the API); the client takes over live.
 */
export async function RunsHome({ searchParams }: { searchParams: SearchParams }) {
  const deps = dashboardDeps(getRuntime());
  const filters = filtersFromParams(searchParams);
  const runsQuery = runListQuery.safeParse({
    ...apiParams(filters, Date.now()),
    status: filters.status.join(",") || undefined,
    limit: 50,
  });
  const [runs, events] = await Promise.all([
    runsQuery.success
      ? listRuns(deps, runsQuery.data).catch(() => undefined) // a bad search expression: the client shows the error
      : undefined,
    listEvents(deps, eventListQuery.parse({ limit: RECENT_EVENTS_LIMIT, runs: "1" })).catch(() => undefined),
  ]);
  return (
    <Suspense>
      <RunsPage initial={runs} initialEvents={events} />
    </Suspense>
  );
}
