import type { Metadata } from "next";

import { RunsHome, type SearchParams } from "../_runs/runs-home";

export const metadata: Metadata = { title: "Runs" };

export default async function Page({ searchParams }: { searchParams: Promise<SearchParams> }) {
  return <RunsHome searchParams={await searchParams} />;
}
