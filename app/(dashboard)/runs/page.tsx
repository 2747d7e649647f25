import type { Metadata } from "next";
import { Suspense } from "react";

import { apiParams, filtersFromParams } from "@/components/runs/filters";
import { RunsPage } from "@/components/runs/runs-page";
import { runListQuery, type RunList } from "@/lib/contracts/runs";
import { dashboardDeps } from "@/lib/dashboard/deps";
import { listRuns } from "@/lib/runs/list";
import { getRuntime } from "@/lib/runtime/globals";

export const metadata: Metadata = { title: "Runs" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

// The first page is rendered on the server (same lib call as GET /api/v1/runs); the client takes over live.
export default async function Page({ searchParams }: Props) {
  const filters = filtersFromParams(await searchParams);
  let initial: RunList | undefined;
  const parsed = runListQuery.safeParse({
    ...apiParams(filters, Date.now()),
    status: filters.status.join(",") || undefined,
    limit: 50,
  });
  if (parsed.success) {
    try {
      initial = await listRuns(dashboardDeps(getRuntime()), parsed.data);
    } catch {
      initial = undefined; // a bad search expression: the client shows the error
    }
  }
  return (
    <Suspense>
      <RunsPage initial={initial} />
    </Suspense>
  );
}
