import type { z } from "zod";

/**
 * The dashboard's only way to the server: JSON over Stepwise's HTTP API. Answers are checked
 * against the shared DTO schemas (lib/contracts); errors carry the API's `{error, code, field}`.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

async function request(method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new ApiError("Cannot reach the Stepwise server", 0, "network");
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as { error?: string; code?: string; field?: string };
    throw new ApiError(e.error ?? `HTTP ${res.status}`, res.status, e.code, e.field);
  }
  return parsed;
}

export async function apiGet<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
  return schema.parse(await request("GET", path));
}

export async function apiSend<S extends z.ZodType>(
  method: "POST" | "PUT" | "DELETE",
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.output<S>> {
  return schema.parse(await request(method, path, body));
}

/** `{a: 1, b: undefined, c: ["x", "y"]}` → `?a=1&c=x,y` */
export function queryString(params: Record<string, string | number | readonly string[] | undefined | null>): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    if (typeof v === "string" || typeof v === "number") out.set(k, String(v));
    else if (v.length) out.set(k, v.join(","));
  }
  const s = out.toString();
  return s ? `?${s}` : "";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
