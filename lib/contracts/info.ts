import { z } from "zod";

/** `GET /api/v1/info`: what the dashboard's top bar shows about this server. */
export const infoDto = z.object({
  mode: z.enum(["dev", "start"]),
  version: z.string(),
  dialect: z.enum(["sqlite", "postgres"]),
  startedAt: z.string(),
  url: z.string(),
});
export type InfoDto = z.infer<typeof infoDto>;

/** `GET /api/v1/search?q=`: what an id or a name refers to. */
export const searchHitDto = z.object({
  kind: z.enum(["run", "event", "function", "app"]),
  id: z.string(),
  label: z.string(),
  detail: z.string().nullable(),
});
export type SearchHit = z.infer<typeof searchHitDto>;
export const searchResultDto = z.object({ data: z.array(searchHitDto) });
