import { type Refusal, refusal } from './refusal.js';
import { say } from './sentence.js';
import { type Person, samePerson } from './state-machine.js';

/** What a rate limit needs to know of a request filed earlier (a whole EscalationRecord fits). */
export interface Filing {
  id: string;
  requester: { id: string };
  target: Person;
  createdAt: string;
}

export interface RateLimits {
  perRequesterPerHour: number;
  perTargetPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perRequesterPerHour: 5, perTargetPerHour: 3 };

export const RATE_WINDOW_MS = 60 * 60_000;
const WINDOW_MS = RATE_WINDOW_MS;

/**
 * Sliding one-hour window over requests already filed (whatever became of them), counted by
 * `createdAt`. A request filed exactly an hour ago no longer counts.
 */
export function checkRateLimit(
  recent: readonly Filing[],
  who: { requesterId: string; targetId: string },
  now: Date,
  limits: RateLimits = DEFAULT_RATE_LIMITS,
): { ok: true } | Refusal {
  const windowStart = now.getTime() - WINDOW_MS;
  const inWindow = recent.filter((record) => Date.parse(record.createdAt) > windowStart);

  const byRequester = inWindow.filter((record) => samePerson(record.requester, { id: who.requesterId }));
  if (byRequester.length >= limits.perRequesterPerHour) {
    return refusal(
      'rate-limited',
      say('You have filed ${count} requests in the last hour; the limit is ${limit}. Try again after ${at}.', {
        count: String(byRequester.length),
        limit: String(limits.perRequesterPerHour),
        at: { at: retryTime(byRequester, limits.perRequesterPerHour) },
      }),
    );
  }

  const forTarget = inWindow.filter((record) => samePerson(record.target, { id: who.targetId }));
  if (forTarget.length >= limits.perTargetPerHour) {
    const targetName = forTarget[0]?.target.name ?? 'this person';
    return refusal(
      'rate-limited',
      say(
        '${count} requests have been filed for ${name} in the last hour; the limit is ${limit}. Try again after ${at}.',
        {
          count: String(forTarget.length),
          name: targetName,
          limit: String(limits.perTargetPerHour),
          at: { at: retryTime(forTarget, limits.perTargetPerHour) },
        },
      ),
    );
  }
  return { ok: true };
}

/**
 * The first whole minute at which fewer than `limit` of these requests are inside the window,
 * rounded up so "try again after" is never too early.
 */
function retryTime(inWindow: readonly Filing[], limit: number): string {
  const createdTimes = inWindow.map((record) => Date.parse(record.createdAt)).sort((a, b) => a - b);
  const mustLeave = createdTimes[createdTimes.length - limit] ?? createdTimes[0] ?? 0;
  return new Date(Math.ceil((mustLeave + WINDOW_MS) / 60_000) * 60_000).toISOString();
}
