import Link from "next/link";

import { Tooltip } from "@/components/ui/tooltip";

/** An event that resumed or cancelled the run: its name, linking to its page, the id on hover. */
export function EventLink({ event, testId }: { event: { id: string; name: string | null }; testId: string }) {
  return (
    <Tooltip content={<span className="font-mono">{event.id}</span>}>
      <Link href={`/events/${event.id}`} className="truncate font-mono text-accent hover:underline" data-testid={testId}>
        {event.name ?? event.id}
      </Link>
    </Tooltip>
  );
}
