import type { Metadata } from "next";

import { RunsHome, type SearchParams } from "./_runs/runs-home";

export const metadata: Metadata = { title: "Runs" };

// The home page: recent runs, with the recent events beside them, live.
export default async function Page({ searchParams }: { searchParams: Promise<SearchParams> }) {
  return <RunsHome searchParams={await searchParams} />;
}
