/**
 * The two ways a moment is written for people, in UTC so cards, audit messages, mails and tests
 * read the same everywhere.
 */

/** "2026-11-25 10:32 UTC": a moment on a card. */
export function utcMinute(at: string | Date): string {
  return `${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

/** "10:32 UTC": a time of day inside a sentence, for moments within the day of the request. */
export function utcClock(at: string | Date): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}
