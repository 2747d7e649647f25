"use client";

import { BookOpen, Boxes, Database, Play, SquareFunction, Zap } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

import type { InfoDto } from "@/lib/contracts/info";

import { cn } from "@/components/ui/cn";

import { CommandPalette } from "./command-palette";
import { LiveIndicator } from "./live-indicator";
import { LogoutButton } from "./logout-button";
import { ModeBadge } from "./mode-badge";
import { ServerInfoProvider } from "./server-info";
import { ThemeToggle } from "./theme";

const NAV = [
  { href: "/runs", label: "Runs", icon: Play },
  { href: "/events", label: "Events", icon: Zap },
  { href: "/functions", label: "Functions", icon: SquareFunction },
  { href: "/apps", label: "Apps", icon: Boxes },
] as const;

/** The frame of every dashboard page: sidebar navigation, top bar (mode, search, live state, theme). */
export function AppShell({ info, children }: { info: InfoDto; children: ReactNode }) {
  const pathname = usePathname();
  const production = info.mode === "start";
  return (
    <ServerInfoProvider info={info}>
      <div className="flex min-h-screen">
        <div
          className={cn("fixed inset-x-0 top-0 z-30 h-[3px]", production ? "bg-rose-500" : "bg-amber-400")}
          aria-hidden
          data-testid="mode-stripe"
        />
        <aside className="fixed inset-y-0 left-0 z-20 hidden w-56 flex-col border-r border-line bg-sunken pt-[3px] md:flex">
          <Link href="/" className="flex h-14 items-center gap-2.5 px-5" aria-label="Stepwise home">
            <Logo />
            <span className="text-[15px] font-semibold tracking-tight text-fg">Stepwise</span>
          </Link>
          <nav className="mt-2 flex flex-col gap-0.5 px-3" aria-label="Main">
            {NAV.map(({ href, label, icon: Icon }) => {
              // `/` is the runs page too
              const active = pathname === href || pathname.startsWith(`${href}/`) || (href === "/runs" && pathname === "/");
              return (
                <Link
                  key={href}
                  href={href}
                  aria-current={active ? "page" : undefined}
                  className={cn(
                    "flex h-8 items-center gap-2.5 rounded-md px-2.5 text-[13px] font-medium transition-colors",
                    active ? "bg-panel text-fg shadow-xs ring-1 ring-line" : "text-muted hover:bg-hover hover:text-fg",
                  )}
                >
                  <Icon className={cn("size-4", active ? "text-accent" : "")} aria-hidden />
                  {label}
                </Link>
              );
            })}
          </nav>
          <div className="mt-auto space-y-1 border-t border-line px-5 py-4 text-xs text-faint">
            <div className="flex items-center gap-1.5">
              <Database className="size-3.5" aria-hidden />
              <span>
                v{info.version} · {info.dialect === "sqlite" ? "SQLite" : "PostgreSQL"}
              </span>
            </div>
            <a
              className="flex items-center gap-1.5 hover:text-muted"
              href="https://www.inngest.com/docs"
              target="_blank"
              rel="noreferrer"
            >
              <BookOpen className="size-3.5" aria-hidden />
              Inngest SDK docs
            </a>
          </div>
        </aside>
        <div className="flex min-w-0 flex-1 flex-col md:pl-56">
          <header className="sticky top-[3px] z-10 flex h-14 items-center gap-3 border-b border-line bg-canvas/85 px-4 backdrop-blur md:px-6">
            <ModeBadge mode={info.mode} />
            <div className="mx-auto w-full max-w-xl">
              <CommandPalette />
            </div>
            <LiveIndicator />
            <ThemeToggle />
            {production && <LogoutButton />}
          </header>
          <main className="mx-auto w-full max-w-[1400px] flex-1 px-4 pt-6 pb-16 md:px-6">{children}</main>
        </div>
      </div>
    </ServerInfoProvider>
  );
}

function Logo() {
  return (
    <svg viewBox="0 0 24 24" className="size-6" aria-hidden>
      <rect width="24" height="24" rx="6" className="fill-accent" />
      <path d="M6 16h4v-4h4V8h4" fill="none" stroke="white" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
