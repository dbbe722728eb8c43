/**
 * How the core writes a moment for people: a whole moment in UTC, named, so it means the same in an
 * audit message, a mail and a test, and the Teams layer can put it on the reader's clock
 * (src/teams/locale.ts inReaderTime). A time of day alone is never written: without its date it
 * could not be moved to another zone safely.
 */

/** "2026-11-25 10:32 UTC". */
export function utcMinute(at: string | Date): string {
  return `${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}
