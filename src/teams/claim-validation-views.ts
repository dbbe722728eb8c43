import type { RecoveryAttempt } from '../recovery-extension/attempts.js';
import type { AttemptCause } from '../recovery-extension/decide.js';
import { cardTime, plain } from './cards.js';
import { t } from './locale.js';

/*
 * A claim validation attempt as the helpdesk sees it (check, diagnosis, the channel feed): when,
 * pass or failed, the NAMES of failed claims, what to do. An attempt record holds no claim value,
 * so none can reach a card from here.
 */

const OUTCOME: Record<AttemptCause, (claims: string) => string> = {
  passed: () => t('Passed: the claims matched the record.'),
  claims: (claims) => t('Failed: ${claims} did not match the record.', { claims }),
  'no-record': () => t('Failed: the organisation has no record for this user.'),
  source: () => t('Failed: the claims source could not answer.'),
  privileged: () => t('Failed: the claims matched, but the user holds a directory role.'),
  'roles-unknown': () => t('Failed: their directory roles could not be read.'),
  'unknown-user': () => t('Failed: this directory has no such user.'),
};

const ADVICE: Record<AttemptCause, () => string> = {
  passed: () => t('If they are still stuck, ask what they saw after the identity check.'),
  claims: () =>
    t(
      'Ask HR to check the record (never read a value out to the caller); if the record is right, verify them another way and escalate.',
    ),
  'no-record': () => t('Ask HR to add their record, or verify them another way and escalate.'),
  source: () => t('Fix RECOVERY_CLAIMS_SOURCE; meanwhile verify them another way and escalate.'),
  privileged: () =>
    t(
      'Self-service recovery sends directory role holders to the helpdesk: verify them and escalate for a Temporary Access Pass.',
    ),
  'roles-unknown': () => t('Try again shortly, or verify them and escalate.'),
  'unknown-user': () => t('Check the user principal name Entra sent.'),
};

export function claimValidationView(attempt: RecoveryAttempt) {
  return {
    heading: t('Claim validation during recovery, ${at}', { at: cardTime(attempt.at) }),
    style: attempt.outcome === 'pass' ? 'good' : 'attention',
    outcome: OUTCOME[attempt.cause](plain(attempt.failedClaims.join(', '), 300)),
    advice: ADVICE[attempt.cause](),
    user: plain(attempt.userPrincipalName),
    correlation: t('Correlation ID: ${id}', { id: plain(attempt.correlationId, 64) }),
  };
}

/** The empty view a template's `$when` hides, so templates never read an undefined field. */
export const NO_CLAIM_VALIDATION = {
  heading: '',
  style: 'default',
  outcome: '',
  advice: '',
  user: '',
  correlation: '',
};
