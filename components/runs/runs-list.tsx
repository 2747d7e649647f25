"use client";

import { ArrowUp, Loader2, Play, Search, Send } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";

import type { RunList } from "@/lib/contracts/runs";

import { ApiError } from "@/components/data/api";
import { Button } from "@/components/ui/button";
import { formatCount, formatShortDate, timeOfId } from "@/components/ui/format";
import { EmptyState, ErrorState } from "@/components/ui/states";

import { useSendEventExample } from "@/components/shell/server-info";

import { hasFilters, type RunFilters } from "./filters";
import { RunsTable, RunsTableSkeleton } from "./runs-table";
import { useLiveRuns } from "./use-live-runs";

/**
 * The live runs table with its states: loading, empty (with what to do next), error, the
 * "new runs" button, infinite loading and the progress of a CEL search.
 */
const AUTO_SEARCH_PAGES = 150;

export function RunsList({
  filters,
  initial,
  onSearchError,
  onClearFilters,
  hideFunction,
  besidePanel,
}: {
  filters: RunFilters;
  initial?: RunList;
  onSearchError?: (message: string | null) => void;
  onClearFilters?: () => void;
  hideFunction?: boolean;
  /** a panel sits beside the table on wide screens: the run id column waits for the widest ones */
  besidePanel?: boolean;
}) {
  const { query, rows, search, buffered, overflow, showBuffered, fresh } = useLiveRuns(filters, initial);
  const sendExample = useSendEventExample();
  const sentinel = useRef<HTMLDivElement>(null);
  const [autoPages, setAutoPages] = useState(0);

  const searchError = query.error instanceof ApiError && query.error.field === "q" ? query.error.message : null;
  useEffect(() => onSearchError?.(searchError), [searchError, onSearchError]);
  useEffect(() => setAutoPages(0), [filters]);

  // Infinite scroll: load the next page when the end of the table comes into view.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage || search) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, search]);

  // A CEL search answers in bounded slices: keep going while the page is not full yet.
  useEffect(() => {
    if (!search || search.complete || isFetchingNextPage || !hasNextPage) return;
    if (rows.length >= 50 || autoPages >= AUTO_SEARCH_PAGES) return;
    setAutoPages((n) => n + 1);
    void fetchNextPage();
  }, [search, rows.length, isFetchingNextPage, hasNextPage, fetchNextPage, autoPages]);

  if (query.isPending) return <RunsTableSkeleton hideFunction={hideFunction} />;
  if (query.isError && !searchError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;

  const searching = !!search && !search.complete && hasNextPage;
  const lastCursor = query.data?.pages[query.data.pages.length - 1]?.nextCursor;
  const reached = searching && lastCursor ? timeOfId(lastCursor) : null;
  const autoSearching = searching && autoPages < AUTO_SEARCH_PAGES && rows.length < 50;
  const filtered = hasFilters(filters);

  return (
    <div className="relative">
      {buffered > 0 && (
        <div className="pointer-events-none sticky top-[4.5rem] z-10 flex justify-center">
          <Button
            variant="primary"
            size="sm"
            className="pointer-events-auto rounded-full shadow-lg"
            onClick={() => {
              showBuffered();
              window.scrollTo({ top: 0, behavior: "smooth" });
            }}
            data-testid="new-runs"
          >
            <ArrowUp /> {overflow ? `${buffered}+` : buffered} new {buffered === 1 ? "run" : "runs"}
          </Button>
        </div>
      )}
      {rows.length === 0 && !searching && !query.isFetching ? (
        <div className="rounded-xl border border-dashed border-line-strong bg-panel">
          {filtered ? (
            <EmptyState
              icon={Search}
              title={filters.q ? "No runs match this search" : "No runs match these filters"}
              action={onClearFilters && <Button onClick={onClearFilters}>Clear filters</Button>}
            >
              {search ? `Searched ${formatCount(search.scanned)} runs.` : "Try a wider time range or fewer statuses."}
            </EmptyState>
          ) : (
            <EmptyState
              icon={Play}
              title="No runs yet"
              action={
                <Button asChild variant="primary">
                  <Link href="/events?send=1">
                    <Send /> Send an event
                  </Link>
                </Button>
              }
            >
              <p>
                A run starts the moment an event matches a function&apos;s trigger. Sync an app or register an HTTP function, then
                send an event:
              </p>
              <pre className="mt-3 overflow-x-auto rounded-lg border border-line bg-sunken px-3 py-2 text-left font-mono text-xs text-fg">
                {sendExample}
              </pre>
            </EmptyState>
          )}
        </div>
      ) : (
        <RunsTable rows={rows} fresh={fresh} hideFunction={hideFunction} narrowId={besidePanel} />
      )}
      <div ref={sentinel} className="h-px" />
      <div className="mt-3 flex min-h-8 items-center justify-center gap-3 text-xs text-muted" aria-live="polite">
        {search && (
          <span data-testid="search-progress">
            {searching ? (
              <span className="inline-flex items-center gap-1.5">
                {autoSearching && <Loader2 className="size-3.5 animate-spin" />}
                {autoSearching ? "Searching… " : "Searched "}
                {formatCount(search.scanned)} runs so far
                {reached !== null && (
                  <span className="text-faint">(back to {formatShortDate(new Date(reached).toISOString())})</span>
                )}
              </span>
            ) : (
              `Searched ${formatCount(search.scanned)} runs`
            )}
          </span>
        )}
        {autoSearching ? (
          <Button size="sm" variant="ghost" onClick={() => setAutoPages(AUTO_SEARCH_PAGES)}>
            Stop
          </Button>
        ) : (
          hasNextPage && (
            <Button
              size="sm"
              onClick={() => {
                setAutoPages(0);
                void fetchNextPage();
              }}
              disabled={isFetchingNextPage}
            >
              {isFetchingNextPage ? <Loader2 className="animate-spin" /> : null}
              {searching ? "Keep searching" : "Load older runs"}
            </Button>
          )
        )}
        {!hasNextPage && rows.length > 0 && (
          <span className="text-faint">That&apos;s every run{filtered ? " matching these filters" : ""}.</span>
        )}
      </div>
    </div>
  );
}
