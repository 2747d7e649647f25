import { SESSION_COOKIE } from "@/lib/auth/admin";
import { handle, json } from "@/lib/http/responses";

// POST /api/v1/auth/logout — forgets the session cookie
export const POST = handle(() =>
  json({ ok: true }, 200, { "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` }),
);
