import { createHmac, timingSafeEqual } from "node:crypto";

import { bearerMatches } from "./signing";

/**
 * Who may use the dashboard and the management API in production (`stepwise start`): whoever
 * holds the admin password (or, without one, the signing key, as Inngest's REST API accepts it).
 * API clients send it as a Bearer token; the dashboard exchanges it once at /login for a signed,
 * HttpOnly session cookie. The dev server asks for nothing.
 */
export interface AdminAuthOptions {
  mode: "dev" | "start";
  signingKey?: string;
  signingKeyFallback?: string;
  adminPassword?: string;
}

export const SESSION_COOKIE = "stepwise_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export function authRequired(options: AdminAuthOptions): boolean {
  return options.mode === "start";
}

function secrets(options: AdminAuthOptions): string[] {
  return [options.adminPassword, options.signingKey, options.signingKeyFallback].filter((k): k is string => !!k);
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The login form's password check: the admin password, or the signing key when none is set. */
export function passwordMatches(options: AdminAuthOptions, password: string): boolean {
  const expected = options.adminPassword ?? options.signingKey;
  return !!expected && equal(expected, password);
}

/** Sessions are signed with a key derived from the credentials, so changing them logs everyone out. */
function sessionKey(options: AdminAuthOptions): string {
  return createHmac("sha256", secrets(options).join("\n")).update("stepwise session v1").digest("hex");
}

export function createSession(options: AdminAuthOptions, now = Date.now()): { token: string; expiresAt: number } {
  const expiresAt = now + SESSION_TTL_MS;
  const mac = createHmac("sha256", sessionKey(options)).update(String(expiresAt)).digest("hex");
  return { token: `v1.${expiresAt}.${mac}`, expiresAt };
}

export function sessionValid(options: AdminAuthOptions, token: string | undefined, now = Date.now()): boolean {
  if (!token) return false;
  const [version, expires, mac] = token.split(".");
  const expiresAt = Number(expires);
  if (version !== "v1" || !mac || !Number.isFinite(expiresAt) || expiresAt < now) return false;
  return equal(createHmac("sha256", sessionKey(options)).update(String(expiresAt)).digest("hex"), mac);
}

export function cookieValue(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** True when a request carries the admin credential (Bearer) or a valid session cookie. */
export function isAdminRequest(
  options: AdminAuthOptions,
  headers: { authorization?: string | null; cookie?: string | null },
): boolean {
  if (!authRequired(options)) return true;
  if (headers.authorization && bearerMatches(headers.authorization, secrets(options))) return true;
  return sessionValid(options, cookieValue(headers.cookie, SESSION_COOKIE));
}

/**
 * Paths reachable without the admin credential in production: the SDK and event endpoints
 * (they carry their own keys), health and metrics for infrastructure, the login itself, and
 * static assets the login page needs.
 */
const OPEN_PREFIXES = ["/e/", "/fn/", "/v0/", "/v1/checkpoint/", "/_next/", "/api/v1/auth/"];
const OPEN_PATHS = new Set(["/health", "/metrics", "/dev", "/login", "/icon.svg", "/favicon.ico", "/robots.txt", "/v1/signals"]);

export function isOpenPath(pathname: string): boolean {
  return OPEN_PATHS.has(pathname) || OPEN_PREFIXES.some((p) => pathname.startsWith(p));
}

/** Machine clients (JSON APIs) get a 401; people get sent to the login page. */
export function isApiPath(pathname: string): boolean {
  return pathname.startsWith("/api/") || pathname.startsWith("/v1/") || pathname.startsWith("/v0/");
}
