import { z } from "zod";

import { AppError, fieldPath } from "@/lib/errors";
import { BufferedRequest, TextResponse } from "@/lib/http/buffered";
import { logger } from "@/lib/logger";

/** Web Request → Response helpers shared by every route handler. */
export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return new TextResponse(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...(headers as Record<string, string> | undefined) },
  });
}

export function errorBody(error: AppError) {
  return {
    error: error.message,
    code: error.code,
    status: error.status,
    ...(error.field !== undefined ? { field: error.field } : {}),
  };
}

/** A zod failure as an AppError naming the first failing field (prefixed, e.g. `events[1]`). */
export function validationError(error: z.ZodError, prefix: readonly PropertyKey[] = []): AppError {
  const issue = error.issues[0];
  if (!issue) return new AppError("invalid_request", "invalid request");
  if (issue.code === "unrecognized_keys") {
    // Name the unknown field itself, so a typo points at the typo.
    const field = fieldPath([...prefix, ...issue.path, issue.keys[0] ?? ""]);
    return new AppError("invalid_field", `${field}: unknown field`, field);
  }
  const field = fieldPath([...prefix, ...issue.path]);
  const message = field ? `${field}: ${issue.message}` : issue.message;
  return new AppError("invalid_field", message, field || undefined);
}

export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) return json(errorBody(error), error.status);
  if (error instanceof z.ZodError) {
    const appError = validationError(error);
    return json(errorBody(appError), appError.status);
  }
  logger.error({ err: error }, "unhandled error in request");
  return json({ error: "internal server error", code: "internal", status: 500 }, 500);
}

/** Wraps a handler so every thrown value becomes the standard error JSON. */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response> | Response): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** Reads a JSON body, refusing more than `maxBytes` before parsing it. */
export async function readJson(req: Request, maxBytes = 4 * 1024 * 1024): Promise<unknown> {
  const text = await readText(req, maxBytes);
  if (text.trim() === "") throw new AppError("invalid_json", "the request body is empty; send JSON");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("invalid_json", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Like readJson, but an empty body answers `fallback` (actions whose options are all optional). */
export async function readOptionalJson(req: Request, fallback: unknown = {}, maxBytes = 1024 * 1024): Promise<unknown> {
  const text = await readText(req, maxBytes);
  if (text.trim() === "") return fallback;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("invalid_json", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

export async function readText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (req instanceof BufferedRequest) {
    // The custom server already holds the whole body: no stream to read.
    if (req.byteLength > maxBytes) throw tooLarge(maxBytes);
    return req.takeText();
  }
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(maxBytes: number) {
  return new AppError("payload_too_large", `the request body is larger than the ${maxBytes} bytes allowed`);
}

/** Parses with zod and throws the field-naming AppError on failure. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix: readonly PropertyKey[] = []): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, prefix);
  return parsed.data;
}

export function searchParams(req: Request): URLSearchParams {
  return new URL(req.url).searchParams;
}
