import type { Metadata } from "next";

import { LoginForm } from "@/components/auth/login-form";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only same-site paths: the login must never bounce people to another origin.
  const target = next && next.startsWith("/") && !next.startsWith("//") ? next : "/runs";
  return (
    <main className="flex min-h-screen items-center justify-center bg-canvas px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-2.5">
          <svg viewBox="0 0 24 24" className="size-7" aria-hidden="true">
            <rect width="24" height="24" rx="6" className="fill-accent" />
            <path
              d="M6 16h4v-4h4V8h4"
              fill="none"
              stroke="white"
              strokeWidth="2.2"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <span className="text-lg font-semibold tracking-tight text-fg">Stepwise</span>
        </div>
        <div className="rounded-xl border border-line bg-panel p-6 shadow-sm">
          <h1 className="text-base font-semibold text-fg">Log in to this server</h1>
          <p className="mt-1 mb-5 text-[13px] text-muted">
            Enter the admin password (<code className="font-mono text-xs">--admin-password</code>), or the signing key when none
            is set.
          </p>
          <LoginForm next={target} />
        </div>
      </div>
    </main>
  );
}
