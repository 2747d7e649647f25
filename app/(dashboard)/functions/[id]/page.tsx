import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";

import { FunctionPage } from "@/components/functions/function-page";
import { AppError } from "@/lib/errors";
import { getFunction } from "@/lib/registry/function-store";
import { getRuntime } from "@/lib/runtime/globals";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeURIComponent((await params).id) };
}

export default async function Page({ params }: Props) {
  const id = decodeURIComponent((await params).id);
  try {
    const fn = await getFunction(getRuntime(), id);
    return (
      <Suspense>
        <FunctionPage id={id} initial={fn} />
      </Suspense>
    );
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
}
