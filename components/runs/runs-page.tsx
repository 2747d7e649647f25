"use client";

import { Send } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo, useState } from "react";

import type { EventList } from "@/lib/contracts/events";
import type { RunList } from "@/lib/contracts/runs";

import { RecentEvents } from "@/components/events/recent-events";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/states";

import { EMPTY_FILTERS, filtersFromParams, filtersToParams, type RunFilters } from "./filters";
import { RunsFilters } from "./runs-filters";
import { RunsList } from "./runs-list";

/**
 * The home page (`/` and `/runs`): every run, newest first, live, with the recent events beside
 * it on wide screens. Filters live in the URL.
 */
export function RunsPage({ initial, initialEvents }: { initial?: RunList; initialEvents?: EventList }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(params.toString())), [params]);
  const [searchError, setSearchError] = useState<string | null>(null);
  // The server rendered the first page for the filters it was asked for; other filters start empty.
  const [ssrFilters] = useState(() => filtersToParams(filters));
  const initialForFilters = filtersToParams(filters) === ssrFilters ? initial : undefined;
  const setFilters = useCallback(
    (f: RunFilters) => router.replace(`${pathname}${filtersToParams(f)}`, { scroll: false }),
    [router, pathname],
  );
  return (
    <>
      <PageHeader
        title="Runs"
        description="Every function run, newest first. New runs and status changes appear as they happen."
        actions={
          <Button asChild variant="primary">
            <Link href="/events?send=1">
              <Send /> Send event
            </Link>
          </Button>
        }
      />
      <RunsFilters filters={filters} onChange={setFilters} searchError={searchError} />
      <div className="grid items-start gap-5 xl:grid-cols-[minmax(0,1fr)_17rem]">
        <section aria-labelledby="recent-runs-title" className="min-w-0">
          <h2
            id="recent-runs-title"
            className="mb-2 flex h-6 items-center text-[11px] font-medium tracking-wide text-muted uppercase"
          >
            Recent runs
          </h2>
          <RunsList
            filters={filters}
            initial={initialForFilters}
            onSearchError={setSearchError}
            onClearFilters={() => setFilters(EMPTY_FILTERS)}
            besidePanel
          />
        </section>
        <RecentEvents initial={initialEvents} className="sticky top-[4.5rem] hidden xl:block" />
      </div>
    </>
  );
}
