import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { RunPage } from "@/components/runs/run-page";
import { AppError } from "@/lib/errors";
import { dashboardDeps } from "@/lib/queries/deps";
import { getRunDetail } from "@/lib/queries/run-detail";
import { getRuntime } from "@/lib/runtime/globals";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Run ${(await params).id}` };
}

export default async function Page({ params }: Props) {
  const { id } = await params;
  try {
    const detail = await getRunDetail(dashboardDeps(getRuntime()), id);
    return <RunPage id={id} initial={detail} />;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
}
