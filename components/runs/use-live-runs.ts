"use client";

import { useInfiniteQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { runListDto, type RunList, type RunListItem } from "@/lib/contracts/runs";

import { apiGet, queryString } from "@/components/data/api";
import { usePollingFallback, useRealtime, type Hint } from "@/components/realtime/realtime";

import { apiParams, type RunFilters } from "./filters";

/**
 * The runs list, live. Pages come from `GET /api/v1/runs` (keyset). Realtime hints are applied
 * precisely instead of refetching everything:
 * - a hint for a run on screen whose status (or sub-state: sleeping, waiting) changed → fetch
 *   just those runs (`ids=`) and patch them;
 * - a hint for an unknown run → fetch the runs newer than the newest shown (`after=`).
 * New runs are inserted at the top only while the user is at the top of the page; otherwise
 * they wait behind a "N new runs" button, so nothing moves under the reader.
 */
const PAGE = 50;
const NEWER_LIMIT = 100;

type Data = InfiniteData<RunList, string | undefined>;

export function runsQueryKey(filters: RunFilters) {
  return ["runs", filters] as const;
}

export function useLiveRuns(filters: RunFilters, initial?: RunList) {
  const qc = useQueryClient();
  const key = useMemo(() => runsQueryKey(filters), [filters]);
  const polling = usePollingFallback();

  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) =>
      apiGet(`/api/v1/runs${queryString({ ...apiParams(filters, Date.now()), cursor: pageParam, limit: PAGE })}`, runListDto),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    initialData: initial ? { pages: [initial], pageParams: [undefined] } : undefined,
    refetchInterval: polling,
  });

  const [buffer, setBuffer] = useState<RunListItem[]>([]);
  const [overflow, setOverflow] = useState(false);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const atTop = useAtTop();
  const state = useRef({ buffer, atTop });
  useEffect(() => {
    state.current = { buffer, atTop };
  }, [buffer, atTop]);

  // Filters changed: whatever was buffered belongs to the old list.
  useEffect(() => {
    setBuffer([]);
    setOverflow(false);
  }, [key]);

  const insert = useCallback(
    (rows: RunListItem[]) => {
      if (!rows.length) return;
      qc.setQueryData<Data>(key, (data) => {
        if (!data?.pages.length) return data;
        const shown = new Set(data.pages.flatMap((p) => p.data.map((r) => r.id)));
        const add = rows.filter((r) => !shown.has(r.id));
        const [first, ...rest] = data.pages as [RunList, ...RunList[]];
        return { ...data, pages: [{ ...first, data: [...add, ...first.data] }, ...rest] };
      });
      setFresh((prev) => new Set([...prev, ...rows.map((r) => r.id)]));
    },
    [qc, key],
  );

  const showBuffered = useCallback(() => {
    if (state.current.buffer.length) insert(state.current.buffer);
    setBuffer([]);
    if (overflow) {
      setOverflow(false);
      void qc.invalidateQueries({ queryKey: key });
    }
  }, [insert, overflow, qc, key]);

  // Back at the top: what was waiting slides in.
  useEffect(() => {
    if (atTop && buffer.length && !overflow) {
      insert(buffer);
      setBuffer([]);
    }
  }, [atTop, buffer, overflow, insert]);

  const onHints = useCallback(
    (hints: Hint[]) => {
      const data = qc.getQueryData<Data>(key);
      if (!data) return;
      // A subscription just started: what is shown may already be stale.
      if (hints.some((h) => !h.id)) {
        void qc.invalidateQueries({ queryKey: key });
        return;
      }
      const shown = new Map<string, RunListItem>();
      for (const page of data.pages) for (const r of page.data) shown.set(r.id, r);
      for (const r of state.current.buffer) shown.set(r.id, r);
      const changed = new Set<string>();
      let unknown = false;
      for (const h of hints) {
        if (!h.id) continue;
        const row = shown.get(h.id);
        if (row === undefined) unknown = true;
        // A sleep or wait starting or ending leaves the status Running: the hint's `sub` says so.
        else if (row.status !== h.status || (h.sub !== undefined && h.sub !== (row.subState?.kind ?? ""))) changed.add(h.id);
      }
      if (changed.size) void refreshRows([...changed].slice(0, 100));
      if (unknown) void fetchNewer();

      async function refreshRows(ids: string[]) {
        const fresh = await apiGet(`/api/v1/runs${queryString({ ids })}`, runListDto).catch(() => null);
        if (!fresh) return;
        const byId = new Map(fresh.data.map((r) => [r.id, r]));
        qc.setQueryData<Data>(key, (d) =>
          d ? { ...d, pages: d.pages.map((p) => ({ ...p, data: p.data.map((r) => byId.get(r.id) ?? r) })) } : d,
        );
        setBuffer((b) => (b.some((r) => byId.has(r.id)) ? b.map((r) => byId.get(r.id) ?? r) : b));
      }

      async function fetchNewer() {
        const current = qc.getQueryData<Data>(key);
        const newestShown = current?.pages[0]?.data[0]?.id;
        const newestBuffered = state.current.buffer[0]?.id;
        const newest = [newestShown, newestBuffered]
          .filter((x): x is string => !!x)
          .sort()
          .pop();
        if (!newest) {
          void qc.invalidateQueries({ queryKey: key });
          return;
        }
        const page = await apiGet(
          `/api/v1/runs${queryString({ ...apiParams(filters, Date.now()), after: newest, limit: NEWER_LIMIT })}`,
          runListDto,
        ).catch(() => null);
        if (!page?.data.length) return;
        if (state.current.atTop && !state.current.buffer.length) {
          if (page.data.length >= NEWER_LIMIT) void qc.invalidateQueries({ queryKey: key });
          else insert(page.data);
          return;
        }
        if (page.data.length >= NEWER_LIMIT) setOverflow(true);
        setBuffer((b) => {
          const ids = new Set(page.data.map((r) => r.id));
          return [...page.data, ...b.filter((r) => !ids.has(r.id))];
        });
      }
    },
    [qc, key, filters, insert],
  );

  useRealtime(["runs"], onHints, 250);

  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.data) ?? [], [query.data]);
  const search = useMemo(() => {
    const pages = query.data?.pages ?? [];
    if (!pages.some((p) => p.search)) return null;
    const last = pages[pages.length - 1];
    return { scanned: pages.reduce((n, p) => n + (p.search?.scanned ?? 0), 0), complete: last?.search?.complete ?? true };
  }, [query.data]);

  return { query, rows, search, buffered: buffer.length, overflow, showBuffered, fresh };
}

/** True while the page is scrolled to (near) the top. */
function useAtTop(): boolean {
  const [atTop, setAtTop] = useState(true);
  useEffect(() => {
    const onScroll = () => setAtTop(window.scrollY < 64);
    onScroll();
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  return atTop;
}
