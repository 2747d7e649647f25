import { randomBytes } from "node:crypto";

import { monotonicFactory } from "ulid";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * ulid draws one random byte per character from its PRNG; its default PRNG makes a
 * getRandomValues call (wrapped by Next) per byte, which was ~5% of the server's CPU at high
 * event rates. The same CSPRNG read in 4 KiB blocks costs a fraction of that.
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = randomBytes(RANDOM_POOL_BYTES);
let randomOffset = 0;
function pooledRandom(): number {
  if (randomOffset === RANDOM_POOL_BYTES) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  return (randomPool[randomOffset++] as number) / 256;
}

/** Time-sortable ids for events, runs, steps and queue items. */
export const newId: (seedTime?: number) => string = monotonicFactory(pooledRandom);

function encodeTime(ms: number): string {
  let out = "";
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

function encodeEntropy(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters, most significant first.
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < 16; i++) {
    out = CROCKFORD[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

/**
 * An event id derived from the SDK's `X-Inngest-Event-Id-Seed` ("<unix-ms>,<base64 of 10 bytes>"),
 * so a retried send of the same events yields the same ids (and is stored once). The 1-based
 * index of the event in the request is added to the last four entropy bytes, as Inngest does.
 */
export function seededEventId(seed: string, index: number): string | null {
  const [msText, entropyText] = seed.split(",");
  const ms = Number(msText);
  if (!Number.isSafeInteger(ms) || ms < 0 || !entropyText) return null;
  const entropy = Buffer.from(entropyText, "base64");
  if (entropy.length !== 10) return null;
  const tail = (entropy.readUInt32BE(6) + index + 1) >>> 0;
  entropy.writeUInt32BE(tail, 6);
  return encodeTime(ms) + encodeEntropy(entropy);
}

export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString("hex");
}

/**
 * The smallest id created at `ms`: ids sort by creation time, so a time range is an id range
 * (`id >= idFloor(from) AND id < idFloor(to)`) served by the same indexes as keyset paging.
 */
export function idFloor(ms: number): string {
  return encodeTime(Math.max(0, Math.min(ms, 2 ** 48 - 1))) + "0000000000000000";
}
