import { z } from "zod";

/**
 * App DTOs shared by the apps API (`/api/v1/apps`) and the dashboard.
 *
 * - `GET /api/v1/apps` → `{data: AppDto[]}`
 * - `POST /api/v1/apps` `{url}` → syncs the app now; 201 with the AppDto (a failed sync still
 *   stores the app, with `syncError` set, so polling retries it)
 * - `POST /api/v1/apps/<id>/sync` → resync now; 200 with the AppDto
 * - `DELETE /api/v1/apps/<id>` → removes the app and its functions; 200 `{deleted: true}`
 */
export const appDto = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string().nullable(),
  sdkLanguage: z.string().nullable(),
  sdkVersion: z.string().nullable(),
  framework: z.string().nullable(),
  appVersion: z.string().nullable(),
  syncKind: z.string().nullable(),
  functionCount: z.number(),
  lastSyncedAt: z.string().nullable(),
  syncError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AppDto = z.infer<typeof appDto>;

export const appListDto = z.object({ data: z.array(appDto) });

export const addAppInput = z.object({ url: z.url({ protocol: /^https?$/, error: "url must be an http(s) URL" }) });
