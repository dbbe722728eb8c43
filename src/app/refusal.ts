import type { Refusal as CoreRefusal, RefusalCode } from '../escalation/state-machine.js';

export { isRefusal } from '../escalation/state-machine.js';

/**
 * The one error vocabulary: a use case either returns its result or a Refusal with a code (for
 * tests, the audit trail and the card) and words for the person. Failures that are not the
 * person's doing (Graph down, store unavailable) stay exceptions.
 */
export type AppRefusalCode =
  | RefusalCode
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
  | 'verification-off'
  | 'verification-not-possible'
  | 'already-verified';

export type Refusal = CoreRefusal<AppRefusalCode>;

export const refusal = (code: AppRefusalCode, message: string, title?: string): Refusal =>
  title === undefined ? { refused: true, code, message } : { refused: true, code, title, message };

/**
 * What anyone who may not see a request is told, whether or not it exists: the same words as for an
 * id nobody ever filed, so the answer carries no target, reason or existence.
 */
export const NO_SUCH_REQUEST = refusal(
  'not-found',
  'I have no request with that id in your organisation. Check the card, or list requests with "requests".',
  'No such request',
);
