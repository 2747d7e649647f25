import { SearchX } from "lucide-react";
import Link from "next/link";

import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/states";

export default function NotFound() {
  return (
    <div className="rounded-xl border border-dashed border-line-strong bg-panel">
      <EmptyState
        icon={SearchX}
        title="Not found"
        action={
          <Button asChild>
            <Link href="/runs">Back to runs</Link>
          </Button>
        }
      >
        There is nothing with this ID here. It may have been deleted, or the link may be from another Stepwise server.
      </EmptyState>
    </div>
  );
}
