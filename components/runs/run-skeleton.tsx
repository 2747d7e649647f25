import { Skeleton } from "@/components/ui/states";

/** The run page's shape while its first answer loads. */
export function RunSkeleton() {
  return (
    <div className="space-y-5" aria-busy>
      <Skeleton className="h-4 w-64" />
      <Skeleton className="h-8 w-96" />
      <Skeleton className="h-16 w-full rounded-xl" />
      <div className="grid gap-5 xl:grid-cols-2">
        <Skeleton className="h-72 rounded-xl" />
        <Skeleton className="h-72 rounded-xl" />
      </div>
    </div>
  );
}
