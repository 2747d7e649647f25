import type { ReactNode } from "react";

import { Providers } from "@/components/providers";
import { AppShell } from "@/components/shell/app-shell";
import { serverInfo } from "@/lib/queries/info";
import { getRuntime } from "@/lib/runtime/globals";

export const dynamic = "force-dynamic";

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <Providers>
      <AppShell info={serverInfo(getRuntime())}>{children}</AppShell>
    </Providers>
  );
}
