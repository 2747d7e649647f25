import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Inngest request signing: `X-Inngest-Signature: t=<unix s>&s=<hex HMAC-SHA256>` where the
 * HMAC key is the signing key without its `signkey-<env>-` prefix (as UTF-8 text) and the
 * message is the exact body bytes followed by t. The SDK re-canonicalises the JSON it receives,
 * so request bodies are sent in canonical form (RFC 8785) and signed as sent.
 */
const PREFIX = /^signkey-[\w]+-/;

export function stripKeyPrefix(key: string): string {
  return key.replace(PREFIX, "");
}

export function sign(body: string, key: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac("sha256", stripKeyPrefix(key))
    .update(body + String(nowSeconds))
    .digest("hex");
  return `t=${nowSeconds}&s=${mac}`;
}

const MAX_SKEW_SECONDS = 5 * 60;

/** True when `header` signs `body` with one of `keys` within the allowed clock skew. */
export function verifySignature(
  header: string | null,
  body: string,
  keys: readonly string[],
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  const params = new URLSearchParams(header);
  const t = Number(params.get("t"));
  const s = params.get("s");
  if (!s || !Number.isFinite(t) || Math.abs(nowSeconds - t) > MAX_SKEW_SECONDS) return false;
  const given = Buffer.from(s, "hex");
  for (const key of keys) {
    const expected = createHmac("sha256", stripKeyPrefix(key))
      .update(body + String(t))
      .digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
  }
  return false;
}

/** What SDKs send as Bearer: the prefix plus hex(SHA-256(hex-decoded key)). */
export function hashSigningKey(key: string): string {
  const prefix = PREFIX.exec(key)?.[0] ?? "";
  return (
    prefix +
    createHash("sha256")
      .update(Buffer.from(stripKeyPrefix(key), "hex"))
      .digest("hex")
  );
}

/** Accepts the raw key or its hash as a Bearer token, compared in constant time. */
export function bearerMatches(authorization: string | null, keys: readonly string[]): boolean {
  if (!authorization) return false;
  const token = authorization.replace(/^Bearer\s+/i, "").trim();
  if (!token) return false;
  const given = Buffer.from(token);
  for (const key of keys) {
    for (const candidate of [key, hashSigningKey(key)]) {
      const expected = Buffer.from(candidate);
      if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
    }
  }
  return false;
}
