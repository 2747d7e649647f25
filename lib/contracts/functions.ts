import { z } from "zod";

/** Function DTOs shared by the API and the dashboard (no server imports: safe for client bundles). */
export const triggerDto = z.union([
  z.object({ event: z.string(), expression: z.string().optional() }),
  z.object({ cron: z.string(), jitter: z.string().optional() }),
]);

export const functionDto = z.object({
  id: z.string(),
  name: z.string(),
  appId: z.string().nullable(),
  kind: z.enum(["sdk", "http"]),
  url: z.string(),
  triggers: z.array(triggerDto),
  config: z.record(z.string(), z.unknown()),
  paused: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type FunctionDto = z.infer<typeof functionDto>;

export const functionListDto = z.object({ data: z.array(functionDto) });
