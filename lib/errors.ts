/**
 * The one error vocabulary. Domain code throws AppError with a code; the HTTP layer turns any
 * thrown value into `{error, code, status, field?}` with the status from this table. Unknown
 * errors become a logged 500 that reveals nothing internal.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_field: 400,
  invalid_expression: 400,
  unauthorized: 401,
  event_key_not_found: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  stale: 409,
  payload_too_large: 413,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string, id: string) => new AppError("not_found", `${what} ${JSON.stringify(id)} not found`);

/** `["events", 1, "name"]` → `events[1].name` */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
