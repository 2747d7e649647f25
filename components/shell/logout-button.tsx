"use client";

import { LogOut } from "lucide-react";

import { IconButton } from "@/components/ui/button";

/** Production only: ends the session and goes back to the login page. */
export function LogoutButton() {
  async function logout() {
    await fetch("/api/v1/auth/logout", { method: "POST" }).catch(() => undefined);
    window.location.assign("/login");
  }
  return (
    <IconButton label="Log out" onClick={() => void logout()} data-testid="logout">
      <LogOut className="size-4" />
    </IconButton>
  );
}
