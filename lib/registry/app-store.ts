import { createHash } from "node:crypto";

import canonicalize from "canonicalize";

import type { AppDto } from "@/lib/contracts/apps";
import { AppError, notFound } from "@/lib/errors";

import type { FunctionConfig, Trigger } from "./function-config";
import { bumpRegistryVersion, registryChanged, type RegistryDeps } from "./function-store";

/**
 * SDK apps and their functions in the database, through Prisma. A sync replaces the app's
 * function set in one transaction (functions it no longer serves are removed); a change bumps
 * the registry version and announces `registry.changed` and `apps.changed`.
 */
export type AppStoreDeps = RegistryDeps;

/** A validated registration, whatever way it arrived (in-band PUT answer or /fn/register). */
export interface AppRegistration {
  appId: string;
  url: string;
  framework: string | null;
  /** `js:v4.24.0` */
  sdk: string | null;
  appVersion: string | null;
  syncKind: "in_band" | "out_of_band";
  functions: SdkFunction[];
}

export interface SdkFunction {
  id: string;
  name: string;
  url: string;
  triggers: Trigger[];
  config: FunctionConfig;
}

interface AppRow {
  id: string;
  name: string;
  url: string | null;
  sdkLanguage: string | null;
  sdkVersion: string | null;
  framework: string | null;
  appVersion: string | null;
  syncKind: string | null;
  lastSyncedAt: bigint | null;
  syncError: string | null;
  createdAt: bigint;
  updatedAt: bigint;
  _count?: { functions: number };
}

const iso = (ms: bigint | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function toAppDto(row: AppRow, functionCount = row._count?.functions ?? 0): AppDto {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    sdkLanguage: row.sdkLanguage,
    sdkVersion: row.sdkVersion,
    framework: row.framework,
    appVersion: row.appVersion,
    syncKind: row.syncKind,
    functionCount,
    lastSyncedAt: iso(row.lastSyncedAt),
    syncError: row.syncError,
    createdAt: iso(row.createdAt) as string,
    updatedAt: iso(row.updatedAt) as string,
  };
}

/** `js:v4.24.0` → language `js`, version `4.24.0`. */
export function splitSdk(sdk: string | null): { language: string | null; version: string | null } {
  if (!sdk) return { language: null, version: null };
  const at = sdk.indexOf(":");
  if (at < 0) return { language: sdk, version: null };
  return { language: sdk.slice(0, at), version: sdk.slice(at + 1).replace(/^v/, "") || null };
}

/** Apps added by URL that never synced get an id from their URL until the SDK names them. */
export function unsyncedAppId(url: string): string {
  return `unsynced-${createHash("sha1").update(url).digest("hex").slice(0, 12)}`;
}

/** Trailing slashes and default ports do not make a different app. */
export function normalizeAppUrl(url: string): string {
  const u = new URL(url);
  u.hash = "";
  if (u.pathname.length > 1) u.pathname = u.pathname.replace(/\/+$/, "");
  return u.toString();
}

function checksumOf(reg: AppRegistration): string {
  const material = canonicalize({
    url: reg.url,
    framework: reg.framework,
    sdk: reg.sdk,
    appVersion: reg.appVersion,
    functions: reg.functions,
  });
  return createHash("sha256")
    .update(material ?? "")
    .digest("hex");
}

const withCount = { _count: { select: { functions: true } } } as const;

export async function listApps(deps: Pick<AppStoreDeps, "prisma">): Promise<AppDto[]> {
  const rows = await deps.prisma.app.findMany({ orderBy: { id: "asc" }, include: withCount });
  return rows.map((r) => toAppDto(r));
}

export async function getApp(deps: Pick<AppStoreDeps, "prisma">, id: string): Promise<AppDto> {
  const row = await deps.prisma.app.findUnique({ where: { id }, include: withCount });
  if (!row) throw notFound("app", id);
  return toAppDto(row);
}

export async function findAppByUrl(deps: Pick<AppStoreDeps, "prisma">, url: string): Promise<AppDto | null> {
  const row = await deps.prisma.app.findFirst({ where: { url }, include: withCount, orderBy: { updatedAt: "desc" } });
  return row ? toAppDto(row) : null;
}

/** Every app URL to poll. */
export async function appUrls(deps: Pick<AppStoreDeps, "prisma">): Promise<string[]> {
  const rows = await deps.prisma.app.findMany({ where: { url: { not: null } }, select: { url: true } });
  return [...new Set(rows.map((r) => r.url).filter((u): u is string => !!u))];
}

export interface SaveResult {
  app: AppDto;
  modified: boolean;
}

/**
 * Stores a successful sync: the app row, its function set (removing functions it no longer
 * serves), and — when anything changed — a new registry version. Another app that used to
 * live at the same URL (renamed, or added by URL before it first synced) is replaced.
 */
export async function saveRegistration(deps: AppStoreDeps, reg: AppRegistration): Promise<SaveResult> {
  const now = BigInt(Date.now());
  const checksum = checksumOf(reg);
  const { language, version } = splitSdk(reg.sdk);
  const result = await retryOnWriteConflict(() => writeRegistration(deps, reg, { now, checksum, language, version }));
  // Routing sees the new functions before the sync answers, so the app's next event is routed.
  if (result.modified) await registryChanged(deps, `app ${reg.appId} synced`);
  for (const id of result.displaced) deps.bus.publish("apps.changed", { id });
  if (result.modified || result.errorCleared) deps.bus.publish("apps.changed", { id: reg.appId });
  return { app: await getApp(deps, reg.appId), modified: result.modified };
}

/**
 * Two processes polling the same app can sync it at the same moment; the one whose insert
 * collides reads again and finds the work done.
 */
async function retryOnWriteConflict<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 2 || (code !== "P2002" && code !== "P2034")) throw error;
    }
  }
}

async function writeRegistration(
  deps: AppStoreDeps,
  reg: AppRegistration,
  { now, checksum, language, version }: { now: bigint; checksum: string; language: string | null; version: string | null },
) {
  return deps.prisma.$transaction(async (tx) => {
    const existing = await tx.app.findUnique({ where: { id: reg.appId } });
    const displaced = await tx.app.findMany({ where: { url: reg.url, id: { not: reg.appId } }, select: { id: true } });
    const ids = reg.functions.map((f) => f.id);
    const clashes = await tx.function.findMany({
      where: { id: { in: ids }, OR: [{ appId: null }, { appId: { notIn: [reg.appId, ...displaced.map((d) => d.id)] } }] },
      select: { id: true, appId: true, kind: true },
    });
    const clash = clashes[0];
    if (clash)
      throw new AppError(
        "conflict",
        clash.appId
          ? `function id ${JSON.stringify(clash.id)} already belongs to app ${JSON.stringify(clash.appId)}`
          : `function id ${JSON.stringify(clash.id)} is already taken by an HTTP function registered over REST`,
        `functions[${ids.indexOf(clash.id)}].id`,
      );

    const modified = !existing || existing.checksum !== checksum || displaced.length > 0;
    if (displaced.length) await tx.app.deleteMany({ where: { id: { in: displaced.map((d) => d.id) } } });
    const appData = {
      name: reg.appId,
      url: reg.url,
      sdkLanguage: language,
      sdkVersion: version,
      framework: reg.framework,
      appVersion: reg.appVersion,
      syncKind: reg.syncKind,
      lastSyncedAt: now,
      syncError: null,
    };
    if (!modified) {
      await tx.app.update({ where: { id: reg.appId }, data: { lastSyncedAt: now, syncError: null, syncKind: reg.syncKind } });
      return { modified: false, errorCleared: existing.syncError !== null, displaced: [] as string[] };
    }
    await tx.app.upsert({
      where: { id: reg.appId },
      create: { id: reg.appId, ...appData, checksum, createdAt: now, updatedAt: now },
      update: { ...appData, checksum, updatedAt: now },
    });
    await tx.function.deleteMany({ where: { appId: reg.appId, id: { notIn: ids } } });
    const current = new Map((await tx.function.findMany({ where: { appId: reg.appId } })).map((f) => [f.id, f] as const));
    for (const fn of reg.functions) {
      const data = {
        name: fn.name,
        url: fn.url,
        triggers: JSON.stringify(fn.triggers),
        config: JSON.stringify(fn.config),
      };
      const old = current.get(fn.id);
      if (!old) {
        await tx.function.create({
          data: { id: fn.id, appId: reg.appId, kind: "sdk", ...data, createdAt: now, updatedAt: now },
        });
      } else if (old.name !== data.name || old.url !== data.url || old.triggers !== data.triggers || old.config !== data.config) {
        await tx.function.update({ where: { id: fn.id }, data: { ...data, updatedAt: now } });
      }
    }
    await bumpRegistryVersion(tx);
    return { modified: true, errorCleared: false, displaced: displaced.map((d) => d.id) };
  });
}

/**
 * Records a failed sync without touching the app's functions (what synced before keeps
 * running). An app known only by its URL is stored under a placeholder id so it is listed
 * and polled.
 */
export async function recordSyncError(
  deps: AppStoreDeps,
  where: { appId?: string | null; url?: string | null },
  message: string,
): Promise<AppDto | null> {
  const now = BigInt(Date.now());
  const row =
    (where.appId ? await deps.prisma.app.findUnique({ where: { id: where.appId } }) : null) ??
    (where.url ? await deps.prisma.app.findFirst({ where: { url: where.url }, orderBy: { updatedAt: "desc" } }) : null);
  if (row) {
    if (row.syncError === message) return getApp(deps, row.id);
    await deps.prisma.app.update({ where: { id: row.id }, data: { syncError: message, updatedAt: now } });
    deps.bus.publish("apps.changed", { id: row.id });
    return getApp(deps, row.id);
  }
  if (!where.url) return null;
  const id = unsyncedAppId(where.url);
  await deps.prisma.app.upsert({
    where: { id },
    create: { id, name: where.url, url: where.url, syncError: message, createdAt: now, updatedAt: now },
    update: { syncError: message, updatedAt: now },
  });
  deps.bus.publish("apps.changed", { id });
  return getApp(deps, id);
}

/** Removes the app and its functions. */
export async function deleteApp(deps: AppStoreDeps, id: string): Promise<void> {
  await deps.prisma.$transaction(async (tx) => {
    const existing = await tx.app.findUnique({ where: { id } });
    if (!existing) throw notFound("app", id);
    await tx.function.deleteMany({ where: { appId: id } });
    await tx.app.delete({ where: { id } });
    await bumpRegistryVersion(tx);
  });
  await registryChanged(deps, `app ${id} removed`);
  deps.bus.publish("apps.changed", { id });
}
