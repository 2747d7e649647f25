import { z } from "zod";

import { authRequired, createSession, passwordMatches, SESSION_COOKIE } from "@/lib/auth/admin";
import { AppError } from "@/lib/errors";
import { handle, json, parseWith, readJson } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

const body = z.object({ password: z.string({ error: "password is required" }).min(1, "password is required") });

// POST /api/v1/auth/login — exchanges the admin password for a session cookie (production only)
export const POST = handle(async (req: Request) => {
  const { options } = getRuntime();
  if (!authRequired(options)) return json({ ok: true, required: false });
  const { password } = parseWith(body, await readJson(req, 4096));
  if (!passwordMatches(options, password)) throw new AppError("unauthorized", "wrong password", "password");
  const { token, expiresAt } = createSession(options);
  const secure = new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
  return json({ ok: true, expiresAt: new Date(expiresAt).toISOString() }, 200, {
    "set-cookie": `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor((expiresAt - Date.now()) / 1000)}${secure ? "; Secure" : ""}`,
  });
});
