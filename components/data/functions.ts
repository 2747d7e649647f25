"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { appListDto } from "@/lib/contracts/apps";
import { functionListDto } from "@/lib/contracts/functions";

import { usePollingFallback, useRealtime } from "@/components/realtime/realtime";

import { apiGet } from "./api";

/** Every function (for filters and the functions list), refreshed when the registry changes. */
export function useFunctions() {
  const qc = useQueryClient();
  const polling = usePollingFallback(10_000);
  const onHints = useCallback(() => void qc.invalidateQueries({ queryKey: ["functions"] }), [qc]);
  useRealtime(["functions"], onHints, 500);
  return useQuery({
    queryKey: ["functions"],
    queryFn: () => apiGet("/api/v1/functions", functionListDto),
    refetchInterval: polling,
  });
}

/** Synced apps (the apps API); refreshed on `apps` hints. */
export function useApps() {
  const qc = useQueryClient();
  const polling = usePollingFallback(10_000);
  const onHints = useCallback(() => void qc.invalidateQueries({ queryKey: ["apps"] }), [qc]);
  useRealtime(["apps"], onHints, 500);
  return useQuery({
    queryKey: ["apps"],
    queryFn: () => apiGet("/api/v1/apps", appListDto),
    refetchInterval: polling,
    retry: false,
  });
}
