import canonicalize from "canonicalize";
import { z } from "zod";

import { sign, verifySignature } from "@/lib/auth/signing";
import type { ServerOptions } from "@/lib/config/options";
import type { AppDto } from "@/lib/contracts/apps";
import { AppError } from "@/lib/errors";
import { httpCall, type CallError } from "@/lib/http/client";
import { parseWith } from "@/lib/http/responses";
import { logger } from "@/lib/logger";

import {
  findAppByUrl,
  getApp,
  normalizeAppUrl,
  recordSyncError,
  saveRegistration,
  type AppRegistration,
  type AppStoreDeps,
  type SaveResult,
  type SdkFunction,
} from "./app-store";
import { functionConfigSchema, triggerSchema } from "./function-config";

/**
 * App sync (protocol reference §4): the SDK's own `POST /fn/register` (out-of-band), and the
 * server-initiated `PUT <app url>` that asks the SDK for its configuration in the answer
 * (in-band) or makes it call `/fn/register` (out-of-band, older or configured SDKs). Every
 * function config is validated with the same schema as REST functions, so a bad expression,
 * limit or duration fails the sync naming the function and the field.
 */
export interface AppSyncDeps extends AppStoreDeps {
  options: Pick<ServerOptions, "mode" | "signingKey" | "signingKeyFallback">;
}

const sdkStepSchema = z.looseObject({
  runtime: z.looseObject({ type: z.string().optional(), url: z.string({ error: "runtime.url is required" }) }),
  retries: z.looseObject({ attempts: z.number().int().optional() }).optional(),
});

const sdkFunctionSchema = z.looseObject({
  id: z.string({ error: "id is required" }).min(1, "id must not be empty"),
  name: z.string().optional(),
  triggers: z.array(z.unknown(), { error: "triggers must be an array" }).nullish(),
  steps: z.record(z.string(), sdkStepSchema, { error: "steps must be an object" }),
});

/** What `POST /fn/register` carries (RegisterRequest). */
const registerRequestSchema = z.looseObject({
  url: z.url({ error: "url must be the app's serve URL" }),
  appName: z.string({ error: "appName is required" }).min(1, "appName must not be empty"),
  framework: z.string().nullish(),
  sdk: z.string().nullish(),
  appVersion: z.string().nullish(),
  functions: z.array(z.unknown(), { error: "functions must be an array" }).nullish(),
});

/** What an SDK answers to an in-band PUT (InBandRegisterRequest). */
const inBandAnswerSchema = z.looseObject({
  url: z.url({ error: "url must be the app's serve URL" }),
  app_id: z.string({ error: "app_id is required" }).min(1, "app_id must not be empty"),
  framework: z.string().nullish(),
  sdk: z.string().nullish(),
  appVersion: z.string().nullish(),
  functions: z.array(z.unknown(), { error: "functions must be an array" }).nullish(),
});

/** The config keys an SDK function carries that mean the same thing here. */
const CONFIG_KEYS = [
  "concurrency",
  "throttle",
  "rateLimit",
  "debounce",
  "batchEvents",
  "priority",
  "idempotency",
  "singleton",
  "timeouts",
  "cancel",
] as const;

function validateFunction(raw: unknown, index: number): SdkFunction {
  const prefix = ["functions", index];
  const fn = parseWith(sdkFunctionSchema, raw, prefix);
  try {
    const steps = Object.values(fn.steps);
    const step = steps[0];
    if (!step)
      throw new AppError("invalid_field", `functions[${index}].steps: the function has no step`, `functions[${index}].steps`);
    if (step.runtime.type && step.runtime.type !== "http")
      throw new AppError(
        "invalid_field",
        `functions[${index}].steps: ${step.runtime.type} (Connect) runtimes are not supported; serve the app over HTTP`,
        `functions[${index}].steps`,
      );
    const url = parseWith(z.url({ error: "runtime.url must be an http(s) URL" }), step.runtime.url, [
      ...prefix,
      "steps",
      "runtime",
      "url",
    ]);
    const triggers = parseWith(triggerSchema.array().max(10, "at most 10 triggers"), fn.triggers ?? [], [...prefix, "triggers"]);
    const configInput: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) if (fn[key] !== undefined && fn[key] !== null) configInput[key] = fn[key];
    if (step.retries?.attempts !== undefined) configInput.retries = step.retries.attempts;
    const config = parseWith(functionConfigSchema, configInput, prefix);
    return { id: fn.id, name: fn.name || fn.id, url, triggers, config };
  } catch (error) {
    // The field path names the position; the message also names the function.
    if (error instanceof AppError)
      throw new AppError(error.code, `function ${JSON.stringify(fn.id)}: ${error.message}`, error.field);
    throw error;
  }
}

function validateFunctions(list: readonly unknown[] | null | undefined): SdkFunction[] {
  const fns = (list ?? []).map(validateFunction);
  const seen = new Set<string>();
  fns.forEach((fn, i) => {
    if (seen.has(fn.id))
      throw new AppError(
        "invalid_field",
        `functions[${i}].id: function id ${JSON.stringify(fn.id)} appears twice`,
        `functions[${i}].id`,
      );
    seen.add(fn.id);
  });
  return fns;
}

/** A `/fn/register` body → a validated registration (throws an AppError naming the field). */
export function parseRegisterRequest(body: unknown): AppRegistration {
  const req = parseWith(registerRequestSchema, body);
  return {
    appId: req.appName,
    url: normalizeAppUrl(req.url),
    framework: req.framework ?? null,
    sdk: req.sdk ?? null,
    appVersion: req.appVersion ?? null,
    syncKind: "out_of_band",
    functions: validateFunctions(req.functions),
  };
}

export function parseInBandAnswer(body: unknown): AppRegistration {
  const res = parseWith(inBandAnswerSchema, body);
  return {
    appId: res.app_id,
    url: normalizeAppUrl(res.url),
    framework: res.framework ?? null,
    sdk: res.sdk ?? null,
    appVersion: res.appVersion ?? null,
    syncKind: "in_band",
    functions: validateFunctions(res.functions),
  };
}

/** The app id a register body names, if it names one (to record a failed sync against it). */
function appIdOf(body: unknown): string | null {
  if (!body || typeof body !== "object") return null;
  const b = body as Record<string, unknown>;
  const id = b.appName ?? b.app_id;
  return typeof id === "string" && id ? id : null;
}

function urlOf(body: unknown): string | null {
  if (!body || typeof body !== "object") return null;
  const url = (body as Record<string, unknown>).url;
  try {
    return typeof url === "string" ? normalizeAppUrl(url) : null;
  } catch {
    return null;
  }
}

/**
 * `POST /fn/register`: stores the registration, or records why it failed on the app (its
 * earlier functions keep working) and rethrows for the SDK to report.
 */
export async function registerApp(deps: AppSyncDeps, body: unknown): Promise<SaveResult> {
  try {
    return await saveRegistration(deps, parseRegisterRequest(body));
  } catch (error) {
    if (error instanceof AppError)
      await recordSyncError(deps, { appId: appIdOf(body), url: urlOf(body) }, error.message).catch(() => undefined);
    throw error;
  }
}

export interface SyncOutcome {
  app: AppDto | null;
  ok: boolean;
  modified: boolean;
  error: string | null;
}

const SYNC_TIMEOUT_MS = 30_000;

/**
 * Server-initiated sync: `PUT <url>` asking for an in-band answer. An SDK that answers
 * out-of-band has called `/fn/register` meanwhile; if it registered somewhere else (its
 * INNGEST_DEV / INNGEST_BASE_URL point at another server) that is the sync error.
 */
export async function syncAppByUrl(deps: AppSyncDeps, rawUrl: string): Promise<SyncOutcome> {
  const url = normalizeAppUrl(rawUrl);
  const startedAt = Date.now();
  const signed = deps.options.mode === "start" && !!deps.options.signingKey;
  const body = canonicalize({ url }) ?? "{}";
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-inngest-server-kind": signed ? "cloud" : "dev",
    "x-inngest-sync-kind": "in_band",
  };
  if (signed && deps.options.signingKey) headers["x-inngest-signature"] = sign(body, deps.options.signingKey);

  const fail = async (message: string, appId?: string | null): Promise<SyncOutcome> => {
    const app = await recordSyncError(deps, { appId, url }, message);
    return { app, ok: false, modified: false, error: message };
  };

  let res;
  try {
    res = await httpCall("PUT", url, { body, headers, timeoutMs: SYNC_TIMEOUT_MS });
  } catch (error) {
    const e = error as CallError;
    return fail(e.kind === "timeout" ? `the app did not answer within ${SYNC_TIMEOUT_MS / 1000}s` : e.message);
  }

  let parsed: unknown = null;
  try {
    parsed = res.body ? JSON.parse(res.body) : null;
  } catch {
    // not JSON: reported below
  }
  const fromSdk = res.headers["x-inngest-sdk"] !== undefined || res.headers["x-inngest-sdk-handled"] !== undefined;
  if (!fromSdk) {
    const hint = res.status === 404 ? " (is the path right? SDKs usually serve /api/inngest)" : "";
    return fail(`HTTP ${res.status} from ${url} without Inngest SDK headers: not an Inngest serve endpoint${hint}`);
  }
  if (res.status === 401)
    return fail(
      signed
        ? "the app rejected the signed sync request (401): its INNGEST_SIGNING_KEY differs from the server's signing key"
        : "the app rejected the sync (401): it runs in cloud mode; start it with INNGEST_DEV=1 (or give both sides the same signing key and run `stepwise start`)",
    );

  if (res.headers["x-inngest-sync-kind"] === "in_band" && res.status === 200) {
    if (signed) {
      const keys = [deps.options.signingKey, deps.options.signingKeyFallback].filter((k): k is string => !!k);
      if (!verifySignature(res.headers["x-inngest-signature"] ?? null, res.body, keys))
        return fail(
          "the app's sync answer is not signed with the server's signing key (set INNGEST_SIGNING_KEY on the app, and not INNGEST_DEV)",
          appIdOf(parsed),
        );
    }
    try {
      const saved = await saveRegistration(deps, parseInBandAnswer(parsed));
      return { app: saved.app, ok: true, modified: saved.modified, error: null };
    } catch (error) {
      if (error instanceof AppError) return fail(`invalid configuration: ${error.message}`, appIdOf(parsed));
      throw error;
    }
  }

  // Out-of-band: the SDK answered after its own /fn/register call.
  const message =
    parsed && typeof parsed === "object" && typeof (parsed as { message?: unknown }).message === "string"
      ? (parsed as { message: string }).message
      : res.body.slice(0, 300);
  if (res.status < 200 || res.status >= 300) return fail(`the app could not register (HTTP ${res.status}): ${message}`);
  const app = await findAppByUrl(deps, url);
  if (!app || !app.lastSyncedAt || Date.parse(app.lastSyncedAt) < startedAt - 1000)
    return fail(
      `the app answered the sync but registered with another server; point it here (INNGEST_DEV=<this server's URL> or INNGEST_BASE_URL)`,
    );
  return {
    app,
    ok: true,
    modified: (parsed as { modified?: unknown } | null)?.modified === true,
    error: null,
  };
}

/** Logs a sync outcome once per change (polling must stay quiet). */
export function logSyncOutcome(previousError: string | null | undefined, url: string, outcome: SyncOutcome): void {
  if (outcome.ok && previousError) logger.info({ url, app: outcome.app?.id }, "app synced again");
  else if (outcome.ok && outcome.modified)
    logger.info({ url, app: outcome.app?.id, functions: outcome.app?.functionCount }, "app synced");
  else if (!outcome.ok && outcome.error !== previousError) logger.warn({ url, error: outcome.error }, "app sync failed");
}

/** `POST /api/v1/apps`: syncs the app at `url` now; a failed sync still stores it (with the error). */
export async function addApp(deps: AppSyncDeps, url: string): Promise<AppDto> {
  const outcome = await syncAppByUrl(deps, url);
  if (!outcome.app) throw new AppError("internal", outcome.error ?? "the app could not be stored");
  return outcome.app;
}

/** `POST /api/v1/apps/<id>/sync`. */
export async function resyncApp(deps: AppSyncDeps, id: string): Promise<AppDto> {
  const app = await getApp(deps, id);
  if (!app.url) throw new AppError("invalid_request", `app ${JSON.stringify(id)} has no URL to sync`);
  const outcome = await syncAppByUrl(deps, app.url);
  return outcome.app ?? getApp(deps, id);
}
