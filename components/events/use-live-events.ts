"use client";

import { useInfiniteQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { eventListDto, type EventList, type EventListItem } from "@/lib/contracts/events";

import { apiGet, queryString } from "@/components/data/api";
import { usePollingFallback, useRealtime } from "@/components/realtime/realtime";

/**
 * The events list, live: an `events` hint fetches only the events newer than the newest shown
 * (`after=`). They are inserted while the reader is at the top, otherwise counted behind a
 * "new events" button, so the table never moves under the reader.
 */
export interface EventFilters {
  name: string;
  q: string;
  internal: boolean;
}

type Data = InfiniteData<EventList, string | undefined>;
const NEWER_LIMIT = 100;

function params(f: EventFilters) {
  return { name: f.name || undefined, q: f.q || undefined, internal: f.internal ? "1" : undefined };
}

export function useLiveEvents(filters: EventFilters, initial?: EventList) {
  const qc = useQueryClient();
  const key = useMemo(() => ["events", filters] as const, [filters]);
  const polling = usePollingFallback();
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) =>
      apiGet(`/api/v1/events${queryString({ ...params(filters), cursor: pageParam, limit: 50 })}`, eventListDto),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    initialData: initial ? { pages: [initial], pageParams: [undefined] } : undefined,
    refetchInterval: polling,
  });

  const [buffer, setBuffer] = useState<EventListItem[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [atTop, setAtTop] = useState(true);
  const state = useRef({ buffer, atTop });
  useEffect(() => {
    state.current = { buffer, atTop };
  }, [buffer, atTop]);
  useEffect(() => {
    const onScroll = () => setAtTop(window.scrollY < 64);
    onScroll();
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  useEffect(() => setBuffer([]), [key]);

  const insert = useCallback(
    (rows: EventListItem[]) => {
      if (!rows.length) return;
      qc.setQueryData<Data>(key, (data) => {
        if (!data?.pages.length) return data;
        const shown = new Set(data.pages.flatMap((p) => p.data.map((r) => r.id)));
        const [first, ...rest] = data.pages as [EventList, ...EventList[]];
        return { ...data, pages: [{ ...first, data: [...rows.filter((r) => !shown.has(r.id)), ...first.data] }, ...rest] };
      });
      setFresh((prev) => new Set([...prev, ...rows.map((r) => r.id)]));
    },
    [qc, key],
  );

  useEffect(() => {
    if (atTop && buffer.length) {
      insert(buffer);
      setBuffer([]);
    }
  }, [atTop, buffer, insert]);

  const onHints = useCallback(() => {
    const data = qc.getQueryData<Data>(key);
    const newest = [data?.pages[0]?.data[0]?.id, state.current.buffer[0]?.id]
      .filter((x): x is string => !!x)
      .sort()
      .pop();
    if (!newest) {
      void qc.invalidateQueries({ queryKey: key });
      return;
    }
    void apiGet(`/api/v1/events${queryString({ ...params(filters), after: newest, limit: NEWER_LIMIT })}`, eventListDto)
      .then((page) => {
        if (!page.data.length) return;
        if (page.data.length >= NEWER_LIMIT) return void qc.invalidateQueries({ queryKey: key });
        if (state.current.atTop && !state.current.buffer.length) insert(page.data);
        else setBuffer((b) => [...page.data.filter((r) => !b.some((x) => x.id === r.id)), ...b]);
      })
      .catch(() => undefined);
  }, [qc, key, filters, insert]);
  useRealtime(["events"], onHints, 300);

  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.data) ?? [], [query.data]);
  const search = useMemo(() => {
    const pages = query.data?.pages ?? [];
    if (!pages.some((p) => p.search)) return null;
    return {
      scanned: pages.reduce((n, p) => n + (p.search?.scanned ?? 0), 0),
      complete: pages[pages.length - 1]?.search?.complete ?? true,
    };
  }, [query.data]);

  const showBuffered = useCallback(() => {
    insert(state.current.buffer);
    setBuffer([]);
  }, [insert]);

  return { query, rows, search, buffered: buffer.length, showBuffered, fresh };
}
