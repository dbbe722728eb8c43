import { describe, expect, it } from 'vitest';
import { checkRateLimit } from '../../src/escalation/rate-limit.js';
import type { EscalationRecord } from '../../src/escalation/state-machine.js';
import { alex, at, diego, lee, megan, patti, requested } from './fixtures.js';

const filedBy = (requester: typeof megan, time: string, target = lee): EscalationRecord =>
  requested({ id: `req-${time}-${requester.id}-${target.id}`, requester, target }, at(time));

const megansRequest = { requesterId: megan.id, targetId: lee.id };

/** Megan's earlier requests, each for a different person, so only her own limit applies. */
const megansEarlierRequests = (...times: string[]): EscalationRecord[] =>
  times.map((time, index) =>
    filedBy(megan, time, {
      id: `other-${index}`,
      name: `Other ${index}`,
      userPrincipalName: `o${index}@contoso.example`,
    }),
  );

describe('request rate limits', () => {
  it('allows the fifth request from an agent in an hour', () => {
    const recent = megansEarlierRequests('09:45', '09:50', '09:55', '10:00');
    expect(checkRateLimit(recent, megansRequest, at('10:30'))).toEqual({ ok: true });
  });

  it('refuses the sixth and says when the agent can try again', () => {
    const recent = megansEarlierRequests('09:40', '09:45', '09:50', '09:55', '10:00');
    expect(checkRateLimit(recent, megansRequest, at('10:30'))).toMatchObject({
      refused: true,
      code: 'rate-limited',
      message: 'You have filed 5 requests in the last hour; the limit is 5. Try again after 2025-06-02 10:40 UTC.',
    });
  });

  it('a request filed exactly an hour ago no longer counts', () => {
    const recent = megansEarlierRequests('09:40', '09:45', '09:50', '09:55', '10:00');
    expect(checkRateLimit(recent, megansRequest, at('10:40'))).toEqual({ ok: true });
  });

  it('limits requests for one person across all agents to three an hour', () => {
    const recent = [filedBy(patti, '10:00'), filedBy(alex, '10:10'), filedBy(diego, '10:20')];
    expect(checkRateLimit(recent, megansRequest, at('10:30'))).toMatchObject({
      refused: true,
      code: 'rate-limited',
      message:
        '3 requests have been filed for Lee Gu in the last hour; the limit is 3. Try again after 2025-06-02 11:00 UTC.',
    });
  });

  it('rounds the retry time up to the next whole minute', () => {
    const recent = [patti, alex, diego].map((requester, index) =>
      requested({ id: `r${index}`, requester }, new Date(`2025-06-02T10:0${index}:30Z`)),
    );
    const refusal = checkRateLimit(recent, megansRequest, at('10:30'));
    expect(refusal).toMatchObject({ message: expect.stringContaining('Try again after 2025-06-02 11:01 UTC.') });
  });

  it('honours custom limits', () => {
    const recent = [filedBy(megan, '10:00')];
    expect(
      checkRateLimit(recent, megansRequest, at('10:30'), { perRequesterPerHour: 1, perTargetPerHour: 3 }),
    ).toMatchObject({
      refused: true,
    });
  });
});
