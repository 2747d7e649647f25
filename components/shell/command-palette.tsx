"use client";

import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { Boxes, Moon, Play, Search, Send, SquareFunction, Zap } from "lucide-react";
import { Dialog } from "radix-ui";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";

import { searchResultDto, type SearchHit } from "@/lib/contracts/info";

import { apiGet, queryString } from "@/components/data/api";
import { Kbd } from "@/components/ui/states";

import { useTheme } from "./theme";

const ICONS = { run: Play, event: Zap, function: SquareFunction, app: Boxes } as const;
const HREF = {
  run: (id: string) => `/runs/${id}`,
  event: (id: string) => `/events/${id}`,
  function: (id: string) => `/functions/${encodeURIComponent(id)}`,
  app: () => "/apps",
} as const;

/** The top bar's search (⌘K): jump to a run or event by id, a function or app by name, or a page. */
export function CommandPalette() {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [debounced, setDebounced] = useState("");
  const router = useRouter();
  const { toggle } = useTheme();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setOpen((o) => !o);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(text.trim()), 150);
    return () => clearTimeout(t);
  }, [text]);

  const results = useQuery({
    queryKey: ["search", debounced],
    queryFn: () => apiGet(`/api/v1/search${queryString({ q: debounced })}`, searchResultDto),
    enabled: open && debounced.length > 0,
    staleTime: 5_000,
  });

  const go = (href: string) => {
    setOpen(false);
    setText("");
    router.push(href);
  };
  const hits: SearchHit[] = useMemo(() => results.data?.data ?? [], [results.data]);
  // Enter opens the best match as soon as results arrive.
  const [selected, setSelected] = useState("");
  useEffect(() => {
    const first = hits[0];
    if (first) setSelected(`${first.kind}:${first.id}`);
  }, [hits]);
  const group = "px-1 py-1.5 text-[11px] font-medium text-faint [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:pb-1";
  const item =
    "flex h-9 cursor-default items-center gap-2.5 rounded-md px-2 text-[13px] text-fg data-[selected=true]:bg-hover [&_svg]:size-4 [&_svg]:text-muted";

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="flex h-8 w-full items-center gap-2 rounded-md border border-line bg-panel px-2.5 text-[13px] text-faint shadow-xs transition-colors hover:border-line-strong"
        data-testid="global-search"
      >
        <Search className="size-3.5" aria-hidden />
        <span className="flex-1 truncate text-left">Search by run ID, event ID, function…</span>
        <Kbd>⌘K</Kbd>
      </button>
      <Dialog.Root open={open} onOpenChange={setOpen}>
        <Dialog.Portal>
          <Dialog.Overlay className="fixed inset-0 z-40 bg-black/40 backdrop-blur-[2px]" />
          <Dialog.Content className="fixed top-[14vh] left-1/2 z-50 w-[calc(100vw-2rem)] max-w-xl -translate-x-1/2 overflow-hidden rounded-xl border border-line bg-panel shadow-2xl">
            <Dialog.Title className="sr-only">Search</Dialog.Title>
            <Dialog.Description className="sr-only">Find a run, event, function or app, or go to a page</Dialog.Description>
            <Command shouldFilter={false} label="Search" loop value={selected} onValueChange={setSelected}>
              <div className="flex items-center gap-2 border-b border-line px-3">
                <Search className="size-4 text-faint" aria-hidden />
                <Command.Input
                  value={text}
                  onValueChange={setText}
                  placeholder="Paste a run or event ID, or type a name…"
                  className="h-12 flex-1 bg-transparent text-[14px] text-fg outline-none placeholder:text-faint"
                  data-testid="global-search-input"
                />
              </div>
              <Command.List className="max-h-[50vh] overflow-y-auto p-1.5">
                {debounced && !results.isFetching && hits.length === 0 && (
                  <Command.Empty className="px-3 py-6 text-center text-[13px] text-muted">
                    Nothing matches “{debounced}”.
                  </Command.Empty>
                )}
                {hits.length > 0 && (
                  <Command.Group heading="Results" className={group}>
                    {hits.map((hit) => {
                      const Icon = ICONS[hit.kind];
                      return (
                        <Command.Item
                          key={`${hit.kind}:${hit.id}`}
                          value={`${hit.kind}:${hit.id}`}
                          className={item}
                          onSelect={() => go(HREF[hit.kind](hit.id))}
                        >
                          <Icon aria-hidden />
                          <span className="truncate font-medium">{hit.label}</span>
                          {hit.detail && <span className="truncate text-xs text-muted">{hit.detail}</span>}
                          <span className="ml-auto text-[11px] text-faint capitalize">{hit.kind}</span>
                        </Command.Item>
                      );
                    })}
                  </Command.Group>
                )}
                {!debounced && (
                  <Command.Group heading="Go to" className={group}>
                    <Command.Item className={item} onSelect={() => go("/runs")}>
                      <Play aria-hidden /> Runs
                    </Command.Item>
                    <Command.Item className={item} onSelect={() => go("/events")}>
                      <Zap aria-hidden /> Events
                    </Command.Item>
                    <Command.Item className={item} onSelect={() => go("/functions")}>
                      <SquareFunction aria-hidden /> Functions
                    </Command.Item>
                    <Command.Item className={item} onSelect={() => go("/apps")}>
                      <Boxes aria-hidden /> Apps
                    </Command.Item>
                    <Command.Item className={item} onSelect={() => go("/events?send=1")}>
                      <Send aria-hidden /> Send an event…
                    </Command.Item>
                    <Command.Item
                      className={item}
                      onSelect={() => {
                        toggle();
                        setOpen(false);
                      }}
                    >
                      <Moon aria-hidden /> Toggle light/dark theme
                    </Command.Item>
                  </Command.Group>
                )}
              </Command.List>
            </Command>
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
    </>
  );
}
