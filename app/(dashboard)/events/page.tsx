import type { Metadata } from "next";
import { Suspense } from "react";

import { EventsPage } from "@/components/events/events-page";
import { eventListQuery, type EventList } from "@/lib/contracts/events";
import { dashboardDeps } from "@/lib/queries/deps";
import { listEvents } from "@/lib/queries/events";
import { getRuntime } from "@/lib/runtime/globals";

export const metadata: Metadata = { title: "Events" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function Page({ searchParams }: Props) {
  const sp = await searchParams;
  const one = (k: string) => (Array.isArray(sp[k]) ? sp[k][0] : sp[k]) || undefined;
  let initial: EventList | undefined;
  const parsed = eventListQuery.safeParse({
    name: one("name"),
    q: one("q"),
    internal: one("internal") === "1" ? "1" : undefined,
    limit: 50,
  });
  if (parsed.success) {
    try {
      initial = await listEvents(dashboardDeps(getRuntime()), parsed.data);
    } catch {
      initial = undefined; // a bad search expression: the client shows the error
    }
  }
  return (
    <Suspense>
      <EventsPage initial={initial} />
    </Suspense>
  );
}
