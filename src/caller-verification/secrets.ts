import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 256 bits, URL-safe: link ids, cookies, state and api-keys. */
export const unguessable = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Six digits read out on a call; guessing is bounded by MAX_CODE_ATTEMPTS. */
export const shortCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** The code as it is read out: two groups of three ("482 913"); the page takes it with or without the space. */
export const spokenCode = (code: string) => code.replace(/^(\d{3})(\d{3})$/, '$1 $2');

/**
 * Crockford's Base32 (https://www.crockford.com/base32.html): made to be read and typed by people,
 * no I, L, O or U, and a reader's I, L and O taken as 1, 1 and 0.
 */
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A verification link's id, read out on a call: eight characters in two groups ("k7m2-x9qd"), 40
 * bits. A link lives minutes and only a few are open at a time, so guessing a live one takes about
 * 10^11 requests, and then the code, which locks the link after five wrong tries (threat model T43).
 */
export const linkId = () => {
  const chars = Array.from({ length: 8 }, () => CROCKFORD[randomInt(CROCKFORD.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
};

/**
 * A link id as the caller may have typed it (any case, with or without the dash, I/L/O for 1/1/0)
 * in its one stored form; an id from before short links passes as it is; anything else is none.
 */
export function canonicalLinkId(typed: string): string | undefined {
  if (/^[A-Za-z0-9_-]{43}$/.test(typed)) return typed;
  const chars = typed.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  if (!/^[0-9a-hjkmnp-tv-z]{8}$/.test(chars)) return undefined;
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

export const hashOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** Compares a presented secret with a stored hash in constant time (both sides are hashes of equal length). */
export function matchesHash(presented: string | undefined, storedHash: string | undefined): boolean {
  if (presented === undefined || storedHash === undefined) return false;
  const a = Buffer.from(hashOf(presented));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
