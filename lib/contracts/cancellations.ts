import { z } from "zod";

/**
 * Bulk cancellation, Inngest's REST shape (`POST /v1/cancellations`, snake_case): cancel the
 * runs of one function queued in a time range, optionally only those whose trigger event
 * matches a CEL `if`.
 */
const time = z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()], {
  error: "must be an ISO 8601 time or Unix milliseconds",
});

export const cancellationInput = z
  .object({
    app_id: z.string().min(1).optional(),
    function_id: z.string({ error: "function_id is required" }).min(1, "function_id is required"),
    started_after: time.optional(),
    started_before: time.optional(),
    if: z.string().trim().max(2000).optional(),
  })
  .strict();
export type CancellationInput = z.input<typeof cancellationInput>;

export const cancellationDto = z.object({
  id: z.string(),
  function_id: z.string(),
  started_after: z.string().nullable(),
  started_before: z.string().nullable(),
  if: z.string().nullable(),
  /** runs this cancellation stopped */
  cancelled: z.number(),
  created_at: z.string(),
});
export type CancellationDto = z.infer<typeof cancellationDto>;

export const cancellationListDto = z.object({ data: z.array(cancellationDto), cursor: z.string().nullable() });
