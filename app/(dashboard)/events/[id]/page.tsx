import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { EventPage } from "@/components/events/event-page";
import { AppError } from "@/lib/errors";
import { dashboardDeps } from "@/lib/queries/deps";
import { getEventDetail } from "@/lib/queries/events";
import { getRuntime } from "@/lib/runtime/globals";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Event ${(await params).id}` };
}

export default async function Page({ params }: Props) {
  const { id } = await params;
  try {
    return <EventPage id={id} initial={await getEventDetail(dashboardDeps(getRuntime()), id)} />;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
}
