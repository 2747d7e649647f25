"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowUp, Braces, Loader2, Search, Send, Tag, X, Zap } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { eventNamesDto, type EventList } from "@/lib/contracts/events";

import { apiGet, ApiError } from "@/components/data/api";
import { useSendEventExample } from "@/components/shell/server-info";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { formatCount } from "@/components/ui/format";
import { inputClass } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, PageHeader, Skeleton } from "@/components/ui/states";
import { cellClass, rowClass, Table, Th, useRowNavigation } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/time";

import { SendEventDialog } from "./send-event-dialog";
import { useLiveEvents, type EventFilters } from "./use-live-events";

/** `/events`: every event received, newest first, live; name filter, CEL search, send. */
export function EventsPage({ initial }: { initial?: EventList }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = useMemo<EventFilters>(
    () => ({ name: params.get("name") ?? "", q: params.get("q") ?? "", internal: params.get("internal") === "1" }),
    [params],
  );
  // The server rendered the first page for the filters in the URL; other filters start empty.
  const filterKey = JSON.stringify(filters);
  const [ssrKey] = useState(filterKey);
  const setFilters = useCallback(
    (f: EventFilters) => {
      const p = new URLSearchParams();
      if (f.name) p.set("name", f.name);
      if (f.q) p.set("q", f.q);
      if (f.internal) p.set("internal", "1");
      router.replace(`${pathname}${p.size ? `?${p.toString()}` : ""}`, { scroll: false });
    },
    [router, pathname],
  );
  const [sendOpen, setSendOpen] = useState(params.get("send") === "1");
  const live = useLiveEvents(filters, filterKey === ssrKey ? initial : undefined);
  const { query, rows, search, buffered, showBuffered, fresh } = live;
  const sendExample = useSendEventExample();
  const names = useQuery({
    queryKey: ["event-names"],
    queryFn: () => apiGet("/api/v1/events/names", eventNamesDto),
    staleTime: 10_000,
  });
  const [text, setText] = useState(filters.q);
  useEffect(() => setText(filters.q), [filters.q]);
  const searchError = query.error instanceof ApiError && query.error.field === "q" ? query.error.message : null;

  const hrefs = useMemo(() => rows.map((r) => `/events/${r.id}`), [rows]);
  const { bodyProps, rowProps } = useRowNavigation(hrefs);
  const sentinel = useRef<HTMLDivElement>(null);
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
  const auto = useRef(0);
  useEffect(() => {
    auto.current = 0;
  }, [filters]);
  useEffect(() => {
    if (!search || search.complete || isFetchingNextPage || !hasNextPage || rows.length >= 50 || auto.current >= 150) return;
    auto.current++;
    void fetchNextPage();
  }, [search, rows.length, isFetchingNextPage, hasNextPage, fetchNextPage]);
  const filtered = !!(filters.name || filters.q);

  return (
    <>
      <PageHeader
        title="Events"
        description="Every event Stepwise received, newest first, and the runs each one started."
        actions={
          <Button variant="primary" onClick={() => setSendOpen(true)} data-testid="send-event">
            <Send /> Send event
          </Button>
        }
      />
      <div className="mb-4 space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <form
            className="relative min-w-[18rem] flex-1"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              setFilters({ ...filters, q: text.trim() });
            }}
          >
            <Braces className="pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-faint" aria-hidden />
            <input
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder='Search with CEL, e.g. event.data.userId == "42"   (Enter)'
              aria-label="Search events with a CEL expression"
              aria-invalid={!!searchError}
              className={cn(inputClass, "pl-8 font-mono text-[12.5px]", searchError && "border-rose-500")}
              data-testid="events-search"
            />
          </form>
          <Select
            label="Event name"
            placeholder="Any event name"
            icon={<Tag />}
            value={filters.name}
            onChange={(name) => setFilters({ ...filters, name })}
            options={(names.data?.data ?? []).map((n) => ({ value: n, label: <span className="font-mono text-xs">{n}</span> }))}
          />
          <label className="inline-flex h-8 cursor-pointer items-center gap-2 rounded-md border border-line bg-panel px-2.5 text-[13px] text-muted shadow-xs select-none hover:bg-hover">
            <input
              type="checkbox"
              className="accent-[var(--accent)]"
              checked={filters.internal}
              onChange={(e) => setFilters({ ...filters, internal: e.target.checked })}
            />
            Internal events
          </label>
          {(filtered || filters.internal) && (
            <Button variant="ghost" onClick={() => setFilters({ name: "", q: "", internal: false })}>
              <X /> Clear
            </Button>
          )}
        </div>
        {searchError && (
          <p className="font-mono text-xs text-rose-600 dark:text-rose-400" role="alert">
            {searchError}
          </p>
        )}
      </div>

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
          >
            <ArrowUp /> {buffered} new {buffered === 1 ? "event" : "events"}
          </Button>
        </div>
      )}

      {query.isPending ? (
        <Table label="Loading events">
          <tbody>
            {Array.from({ length: 8 }, (_, i) => (
              <tr key={i} className="h-11 border-b border-line">
                <td className={cellClass}>
                  <Skeleton className="h-3.5 w-40" />
                </td>
                <td className={cellClass}>
                  <Skeleton className="h-3.5 w-72" />
                </td>
                <td className={cellClass}>
                  <Skeleton className="h-3.5 w-10" />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : query.isError && !searchError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : rows.length === 0 && !(search && !search.complete) ? (
        <div className="rounded-xl border border-dashed border-line-strong bg-panel">
          {filtered ? (
            <EmptyState
              icon={Search}
              title="No events match"
              action={<Button onClick={() => setFilters({ name: "", q: "", internal: false })}>Clear filters</Button>}
            >
              {search ? `Searched ${formatCount(search.scanned)} events.` : "No event with this name yet."}
            </EmptyState>
          ) : (
            <EmptyState
              icon={Zap}
              title="No events yet"
              action={
                <Button variant="primary" onClick={() => setSendOpen(true)}>
                  <Send /> Send a test event
                </Button>
              }
            >
              Apps send events with an Inngest SDK (<code className="font-mono text-xs">inngest.send()</code>) or plain HTTP:
              <pre className="mt-3 overflow-x-auto rounded-lg border border-line bg-sunken px-3 py-2 text-left font-mono text-xs text-fg">
                {sendExample}
              </pre>
            </EmptyState>
          )}
        </div>
      ) : (
        <Table label="Events">
          <colgroup>
            <col className="w-[26%]" />
            <col />
            <col className="w-[84px]" />
            <col className="w-[236px]" />
            <col className="w-[112px]" />
          </colgroup>
          <thead>
            <tr>
              <Th>Event</Th>
              <Th>Payload</Th>
              <Th className="text-right">Runs</Th>
              <Th>Event ID</Th>
              <Th>Received</Th>
            </tr>
          </thead>
          <tbody {...bodyProps} data-testid="events-body">
            {rows.map((e, i) => (
              <tr key={e.id} {...rowProps(i)} data-event-id={e.id} className={cn(rowClass, fresh.has(e.id) && "animate-row-in")}>
                <td className={cn(cellClass, "truncate")}>
                  <span className="flex max-w-full items-center gap-1.5 font-mono text-[12.5px] font-medium text-fg">
                    <Zap
                      className={cn("size-3.5 shrink-0", e.name.startsWith("inngest/") ? "text-faint" : "text-amber-500")}
                      aria-hidden
                    />
                    <span className="truncate" title={e.name}>
                      {e.name}
                    </span>
                  </span>
                </td>
                <td className={cn(cellClass, "truncate font-mono text-xs text-muted")}>{e.preview}</td>
                <td className={cn(cellClass, "text-right tabular-nums")}>
                  {e.runCount > 0 ? (
                    <span className="font-medium text-fg">{e.runCount}</span>
                  ) : (
                    <span className="text-faint">0</span>
                  )}
                </td>
                <td className={cn(cellClass, "truncate font-mono text-xs text-muted")} title={e.id}>
                  {e.id}
                </td>
                <td className={cn(cellClass, "text-muted")}>
                  <RelativeTime iso={e.receivedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <div ref={sentinel} className="h-px" />
      <div className="mt-3 flex min-h-8 items-center justify-center gap-3 text-xs text-muted">
        {search && (
          <span className="inline-flex items-center gap-1.5">
            {isFetchingNextPage && <Loader2 className="size-3.5 animate-spin" />}
            Searched {formatCount(search.scanned)} events{search.complete ? "" : " so far"}
          </span>
        )}
        {hasNextPage && !isFetchingNextPage && (
          <Button size="sm" onClick={() => void fetchNextPage()}>
            {search && !search.complete ? "Keep searching" : "Load older events"}
          </Button>
        )}
      </div>
      <SendEventDialog
        open={sendOpen}
        onOpenChange={(open) => {
          setSendOpen(open);
          if (!open && params.get("send")) {
            const p = new URLSearchParams(params.toString());
            p.delete("send");
            router.replace(`${pathname}${p.size ? `?${p.toString()}` : ""}`, { scroll: false });
          }
        }}
      />
    </>
  );
}
