import { z } from "zod";

import type { FunctionDto } from "@/lib/contracts/functions";
import type { PrismaDb } from "@/lib/db/prisma";
import { AppError, notFound } from "@/lib/errors";
import { parseWith } from "@/lib/http/responses";
import { newId } from "@/lib/ids";
import type { Bus } from "@/lib/realtime/bus";
import { parseDuration } from "@/lib/time/duration";

import { functionConfigSchema, strictTriggerSchema, type FunctionConfig } from "./function-config";

/**
 * Functions in the database, through Prisma. Every change bumps the registry version in the
 * same transaction and reloads this process's registry before answering, so an event sent right
 * after a 201 is routed to the new function; other processes notice the version within a second.
 */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 128);
}

const timeoutInput = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a timeout (milliseconds, or a duration like "30s")` });
    return z.NEVER;
  }
  return ms;
});

/** POST/PUT /api/v1/functions body: a plain HTTP function and its flow control. */
export const httpFunctionInputSchema = functionConfigSchema
  .omit({ timeout: true })
  .extend({
    name: z.string({ error: "name is required" }).trim().min(1, "name must not be empty").max(256),
    id: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "id may use letters, digits, '.', '_', ':' and '-' (at most 128)")
      .optional(),
    url: z.url({ protocol: /^https?$/, error: "url must be an http(s) URL" }),
    triggers: z
      .array(strictTriggerSchema, { error: "triggers must be an array" })
      .min(1, "at least one trigger is required")
      .max(10),
    timeout: timeoutInput.optional(),
  })
  .strict();
export type HttpFunctionInput = z.input<typeof httpFunctionInputSchema>;

interface FunctionRecord {
  id: string;
  appId: string | null;
  kind: string;
  name: string;
  url: string;
  triggers: string;
  config: string;
  paused: boolean;
  createdAt: bigint;
  updatedAt: bigint;
}

export function toFunctionDto(row: FunctionRecord): FunctionDto {
  return {
    id: row.id,
    name: row.name,
    appId: row.appId,
    kind: row.kind === "sdk" ? "sdk" : "http",
    url: row.url,
    triggers: JSON.parse(row.triggers) as FunctionDto["triggers"],
    config: JSON.parse(row.config) as Record<string, unknown>,
    paused: row.paused,
    createdAt: new Date(Number(row.createdAt)).toISOString(),
    updatedAt: new Date(Number(row.updatedAt)).toISOString(),
  };
}

export interface RegistryDeps {
  prisma: PrismaDb;
  bus: Bus;
  /** rebuilds the in-memory registry (routing, cron schedules) from the database */
  reloadRegistry(reason: string): Promise<void>;
}

/** Makes a committed change visible to routing here, then tells listeners (dashboard hints). */
export async function registryChanged(deps: RegistryDeps, reason: string): Promise<void> {
  await deps.reloadRegistry(reason);
  deps.bus.publish("registry.changed", { reason });
}

const duplicateId = (id: string) =>
  new AppError(
    "conflict",
    `a function with id ${JSON.stringify(id)} already exists; PUT /api/v1/functions/${id} to change it`,
    "id",
  );

/** Prisma's unique-constraint violation (two registrations of one id racing). */
const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === "P2002";

type Tx = Parameters<Parameters<PrismaDb["$transaction"]>[0]>[0];

export async function bumpRegistryVersion(tx: Tx): Promise<void> {
  const value = newId();
  await tx.meta.upsert({ where: { key: "registry_version" }, create: { key: "registry_version", value }, update: { value } });
}

function splitInput(input: z.output<typeof httpFunctionInputSchema>) {
  const { name, id, url, triggers, ...config } = input;
  return { name, id: id ?? slugify(name), url, triggers, config: config satisfies FunctionConfig };
}

export async function registerHttpFunction(deps: RegistryDeps, body: unknown): Promise<FunctionDto> {
  const input = splitInput(parseWith(httpFunctionInputSchema, body));
  if (!input.id) throw new AppError("invalid_field", "name must contain a letter or digit to derive an id (or give id)", "name");
  const now = BigInt(Date.now());
  const row = await deps.prisma
    .$transaction(async (tx) => {
      const existing = await tx.function.findUnique({ where: { id: input.id } });
      if (existing) throw duplicateId(input.id);
      const created = await tx.function.create({
        data: {
          id: input.id,
          kind: "http",
          name: input.name,
          url: input.url,
          triggers: JSON.stringify(input.triggers),
          config: JSON.stringify(input.config),
          createdAt: now,
          updatedAt: now,
        },
      });
      await bumpRegistryVersion(tx);
      return created;
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? duplicateId(input.id) : error;
    });
  await registryChanged(deps, `function ${row.id} registered`);
  return toFunctionDto(row);
}

export async function updateHttpFunction(deps: RegistryDeps, id: string, body: unknown): Promise<FunctionDto> {
  const input = splitInput(parseWith(httpFunctionInputSchema, body));
  if (input.id !== id && (body as { id?: unknown }).id !== undefined)
    throw new AppError("invalid_field", "id in the body does not match the URL", "id");
  const row = await deps.prisma.$transaction(async (tx) => {
    const existing = await tx.function.findUnique({ where: { id } });
    if (!existing) throw notFound("function", id);
    if (existing.kind !== "http") throw sdkManaged(existing.appId);
    const updated = await tx.function.update({
      where: { id },
      data: {
        name: input.name,
        url: input.url,
        triggers: JSON.stringify(input.triggers),
        config: JSON.stringify(input.config),
        updatedAt: BigInt(Date.now()),
      },
    });
    await bumpRegistryVersion(tx);
    return updated;
  });
  await registryChanged(deps, `function ${id} updated`);
  return toFunctionDto(row);
}

export async function deleteFunction(deps: RegistryDeps, id: string): Promise<void> {
  await deps.prisma.$transaction(async (tx) => {
    const existing = await tx.function.findUnique({ where: { id } });
    if (!existing) throw notFound("function", id);
    if (existing.kind !== "http") throw sdkManaged(existing.appId);
    await tx.function.delete({ where: { id } });
    await bumpRegistryVersion(tx);
  });
  await registryChanged(deps, `function ${id} deleted`);
}

export async function setFunctionPaused(deps: RegistryDeps, id: string, paused: boolean): Promise<FunctionDto> {
  const row = await deps.prisma.$transaction(async (tx) => {
    const existing = await tx.function.findUnique({ where: { id } });
    if (!existing) throw notFound("function", id);
    const updated = await tx.function.update({ where: { id }, data: { paused, updatedAt: BigInt(Date.now()) } });
    await bumpRegistryVersion(tx);
    return updated;
  });
  await registryChanged(deps, `function ${id} ${paused ? "paused" : "resumed"}`);
  return toFunctionDto(row);
}

export async function listFunctions(deps: Pick<RegistryDeps, "prisma">): Promise<FunctionDto[]> {
  const rows = await deps.prisma.function.findMany({ orderBy: [{ appId: "asc" }, { id: "asc" }] });
  return rows.map(toFunctionDto);
}

export async function getFunction(deps: Pick<RegistryDeps, "prisma">, id: string): Promise<FunctionDto> {
  const row = await deps.prisma.function.findUnique({ where: { id } });
  if (!row) throw notFound("function", id);
  return toFunctionDto(row);
}

function sdkManaged(appId: string | null) {
  return new AppError(
    "conflict",
    `this function is synced from app ${JSON.stringify(appId)}; change it in the app's code and resync`,
  );
}
