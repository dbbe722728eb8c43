/**
 * The one error vocabulary: a use case returns its result or a Refusal with a code (for tests, the
 * audit trail and the card) and words for the person. Failures that are not the person's doing
 * (Graph down, store unavailable) stay exceptions. Pure: the core and every layer above share it.
 */

import { type Sentence, say, spoken } from './sentence.js';

/** What the request's own rules refuse (src/escalation/state-machine.ts). */
type RequestCode =
  | 'missing-identity'
  | 'requester-is-target'
  | 'reason-missing'
  | 'denial-reason-missing'
  | 'reason-too-long'
  | 'verification-detail-missing'
  | 'privileged-target'
  | 'not-an-approver'
  | 'self-approval'
  | 'requester-cannot-approve'
  | 'already-approved-by-you'
  | 'already-decided'
  | 'expired'
  | 'not-requester'
  | 'not-approved-yet'
  | 'not-issuing'
  | 'rate-limited';

/** What the use cases refuse: who may act (src/escalation/policy.ts) and what the directory says now. */
type UseCaseCode =
  | 'not-helpdesk'
  | 'not-found'
  | 'no-such-user'
  | 'target-not-eligible'
  | 'no-personal-chat'
  | 'no-approver'
  | 'not-enough-deciders'
  | 'already-open'
  | 'requester-lost-standing'
  | 'facts-changed'
  | 'not-allowed'
  | 'caller-not-verified'
  | 'unverified-not-accepted'
  | 'verification-off'
  | 'verification-not-possible'
  | 'already-verified'
  | 'no-helpdesk'
  | 'helpdesk-unreachable';

/** What a Verified ID callback is refused for (src/caller-verification/rules.ts). */
export type VerificationRefusalCode =
  | 'bad-api-key'
  | 'bad-state'
  | 'wrong-request'
  | 'not-started'
  | 'expired'
  | 'bad-callback'
  | 'not-one-credential'
  | 'type-not-allowed'
  | 'issuer-not-allowed'
  | 'not-valid'
  | 'no-face-check'
  | 'score-below-threshold'
  | 'credential-expired'
  | 'subject-unknown'
  | 'another-person'
  | 'previous-sign-in-name'
  | 'issued-before-account'
  | 'issued-before-sign-in-name'
  | 'issue-date-unknown'
  | 'namesake'
  | 'namesakes-unknown';

/** What a readiness report is refused for (src/readiness/jobs.ts). */
export type ReadinessRefusalCode = 'already-running' | 'not-running' | 'not-yours';

export type RefusalCode = RequestCode | UseCaseCode | VerificationRefusalCode | ReadinessRefusalCode;

/**
 * Something that did not happen, with a code and words for the person who tried it: `said` (and
 * `heading`) as Sentences each reader hears in their own language and clock (src/teams), `message`
 * (and `title`) the same in English, UTC, for logs, the audit trail, HTTP answers and tests.
 */
export interface Refusal {
  refused: true;
  code: RefusalCode;
  message: string;
  said: Sentence;
  /** Heads the card when the person sees the refusal on its own. */
  title?: string;
  heading?: Sentence;
}

export const refusal = (code: RefusalCode, said: Sentence, heading?: Sentence): Refusal =>
  heading === undefined
    ? { refused: true, code, message: spoken(said), said }
    : { refused: true, code, title: spoken(heading), heading, message: spoken(said), said };

/** The same refusal under another heading. */
export const headed = (refused: Refusal, heading: Sentence): Refusal => ({
  ...refused,
  title: spoken(heading),
  heading,
});

export const isRefusal = (value: unknown): value is Refusal =>
  typeof value === 'object' && value !== null && (value as { refused?: unknown }).refused === true;

/**
 * What anyone who may not see a request is told, whether or not it exists: the same words as for an
 * id nobody ever filed, so the answer carries no target, reason or existence.
 */
export const NO_SUCH_REQUEST = refusal(
  'not-found',
  say('I have no request with that id in your organisation. Check the card, or list requests with "requests".'),
  say('No such request'),
);
