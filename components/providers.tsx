"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Tooltip } from "radix-ui";
import { useState, type ReactNode } from "react";
import { Toaster } from "sonner";

import { RealtimeProvider } from "@/components/realtime/realtime";
import { useApplySavedTheme, useTheme } from "@/components/shell/theme";

import { ApiError } from "./data/api";

/** React Query (fresh data comes from realtime hints, so no refetch on focus), the websocket, tooltips and toasts. */
export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 30_000,
            refetchOnWindowFocus: false,
            retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <RealtimeProvider>
        <Tooltip.Provider delayDuration={300}>
          {children}
          <ThemedToaster />
        </Tooltip.Provider>
      </RealtimeProvider>
    </QueryClientProvider>
  );
}

function ThemedToaster() {
  useApplySavedTheme();
  const { dark } = useTheme();
  return <Toaster theme={dark ? "dark" : "light"} position="bottom-right" richColors closeButton />;
}
