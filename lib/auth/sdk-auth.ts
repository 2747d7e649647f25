import type { ServerOptions } from "@/lib/config/options";
import { AppError } from "@/lib/errors";

import { bearerMatches } from "./signing";

/**
 * Calls an SDK makes to this server (`/fn/register`, `/v0/runs/…`, `/v1/checkpoint/…`, `/v1/signals`) carry
 * `Authorization: Bearer <hashed signing key>`. In `start` mode it must match the server's key
 * (or its fallback); in dev anything is accepted, including the SDK's `Bearer undefined`.
 */
export function authorizeSdkRequest(
  options: Pick<ServerOptions, "mode" | "signingKey" | "signingKeyFallback">,
  authorization: string | null,
): void {
  if (options.mode === "dev") return;
  const keys = [options.signingKey, options.signingKeyFallback].filter((k): k is string => !!k);
  if (!bearerMatches(authorization, keys))
    throw new AppError(
      "unauthorized",
      authorization
        ? "the Authorization bearer does not match this server's signing key"
        : "missing Authorization: Bearer <hashed signing key>",
    );
}
