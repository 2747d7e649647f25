"use client";

import { Moon, Sun } from "lucide-react";
import { useCallback, useEffect, useSyncExternalStore } from "react";

import { IconButton } from "@/components/ui/button";

/** Light/dark theme: the `dark` class on <html> (set before paint by the root layout's script), saved in localStorage. */
const KEY = "stepwise-theme";

function subscribe(callback: () => void): () => void {
  const observer = new MutationObserver(callback);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}

export function useTheme(): { dark: boolean; toggle: () => void } {
  const dark = useSyncExternalStore(
    subscribe,
    () => document.documentElement.classList.contains("dark"),
    () => false,
  );
  const toggle = useCallback(() => {
    const next = !document.documentElement.classList.contains("dark");
    document.documentElement.classList.toggle("dark", next);
    try {
      localStorage.setItem(KEY, next ? "dark" : "light");
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, []);
  return { dark, toggle };
}

/**
 * Re-applies the saved theme after hydration: pages rendered on the client from scratch (a
 * 404, an error page) never ran the root layout's inline script.
 */
export function useApplySavedTheme(): void {
  useEffect(() => {
    try {
      const saved = localStorage.getItem(KEY);
      const dark = saved ? saved === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
      document.documentElement.classList.toggle("dark", dark);
    } catch {
      // no storage: keep what the page has
    }
  }, []);
}

export function ThemeToggle() {
  const { dark, toggle } = useTheme();
  return (
    <IconButton label={dark ? "Switch to light theme" : "Switch to dark theme"} onClick={toggle}>
      {dark ? <Sun className="size-4" /> : <Moon className="size-4" />}
    </IconButton>
  );
}
