import type { RefusalCode } from '../escalation/refusal.js';
import { t } from './locale.js';

/**
 * What to do after each refusal, in the reader's language (the refusal's own words say what
 * happened; this says where to go from there). Empty when the refusal's words already say it.
 */
export function nextStepAfter(code: RefusalCode | string): string {
  switch (code) {
    case 'missing-identity':
      return t('Sign in to Teams with your work account and try again.');
    case 'requester-is-target':
    case 'requester-lost-standing':
      return t('Ask another helpdesk agent to request the pass.');
    case 'reason-missing':
    case 'reason-too-long':
    case 'verification-detail-missing':
      return t('Correct the form and send it again.');
    case 'privileged-target':
      return t('Use your organisation’s process for privileged accounts.');
    case 'not-an-approver':
    case 'self-approval':
    case 'requester-cannot-approve':
      return t('Leave the decision to another approver named on the request.');
    case 'already-approved-by-you':
      return t('Wait for the second approver; you will get a message when it is decided.');
    case 'already-decided':
    case 'not-issuing':
    case 'already-open':
    case 'not-found':
      return t('Say "requests" to see the requests and where each one stands.');
    case 'expired':
      return t('If the person still needs a pass, check them again and escalate again.');
    case 'not-requester':
      return t('Ask the agent who filed the request.');
    case 'not-approved-yet':
      return t('Wait for the approval; you will get a message when it is decided.');
    case 'rate-limited':
      return t('Wait a while, or ask another helpdesk agent.');
    case 'not-helpdesk':
    case 'not-allowed':
      return t('Ask your helpdesk.');
    case 'no-such-user':
      return t('Check the name or email address and try again.');
    case 'target-not-eligible':
      return t('Fix what this says first, then check them again.');
    case 'no-personal-chat':
      return t('Open a 1:1 chat with me and try there.');
    case 'no-approver':
    case 'not-enough-deciders':
      return t('Ask an administrator to add approvers to the approver group.');
    case 'facts-changed':
      return t('Check the person again, then escalate again.');
    case 'caller-not-verified':
      return t('Ask the caller to finish Face Check on their page, then try again.');
    case 'verification-off':
    case 'verification-not-possible':
      return t('Verify the caller the way your process says, and note it on the request.');
    default:
      return '';
  }
}
