import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 256 bits, URL-safe: link ids, cookies, state and api-keys. */
export const unguessable = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Six digits read out on a call; guessing is bounded by MAX_CODE_ATTEMPTS. */
export const shortCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

export const hashOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** Compares a presented secret with a stored hash in constant time (both sides are hashes of equal length). */
export function matchesHash(presented: string | undefined, storedHash: string | undefined): boolean {
  if (presented === undefined || storedHash === undefined) return false;
  const a = Buffer.from(hashOf(presented));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
