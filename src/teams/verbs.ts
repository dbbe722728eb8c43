import type { ActionSpec } from './action-data.js';
import { LANGUAGES } from './locale.js';

/**
 * Every Action.Execute verb the bot answers, with the exact data each may carry. Route registration
 * reads its spec from here, the fuzz test throws data at every verb, and a test proves each verb in
 * adaptive-cards/ is listed (test/cards/verbs.test.ts).
 */
export const VERIFICATION_METHODS = ['video-call-with-id', 'in-person', 'manager-vouched-on-call', 'other'] as const;

const REQUEST_ID = { requestId: { kind: 'guid', required: true } } as const;
const OPTIONAL_USER = { userId: { kind: 'guid' } } as const;
const REQUIRED_USER = { userId: { kind: 'guid', required: true } } as const;

export const VERBS = {
  check: { target: { kind: 'text', maxLength: 256 }, source: { kind: 'text', maxLength: 20 } },
  'check.refresh': REQUIRED_USER,
  guide: OPTIONAL_USER,
  'guide.text': { userId: { kind: 'guid' }, language: { kind: 'choice', choices: LANGUAGES, required: true } },
  'diagnose.start': OPTIONAL_USER,
  'diagnose.run': {
    userId: { kind: 'guid' },
    symptom: { kind: 'text', maxLength: 64 },
    errorText: { kind: 'text', maxLength: 5000 },
    target: { kind: 'text', maxLength: 256 },
  },
  'escalate.start': REQUIRED_USER,
  'escalate.submit': {
    userId: { kind: 'guid', required: true },
    reason: { kind: 'text', maxLength: 500 },
    verification: { kind: 'choice', choices: VERIFICATION_METHODS, required: true },
    verificationDetail: { kind: 'text', maxLength: 500 },
  },
  'escalation.view': REQUEST_ID,
  // `accept`: the second click on an unverified request, saying what the approver accepts.
  'escalation.approve': { ...REQUEST_ID, accept: { kind: 'choice', choices: ['not-verified', 'failed'] } },
  'escalation.deny': { ...REQUEST_ID, denialReason: { kind: 'text', maxLength: 500 } },
  'escalation.cancel': REQUEST_ID,
  'pass.hide': REQUEST_ID,
  'verification.start': REQUEST_ID,
  'readiness.cancel': { jobId: { kind: 'guid', required: true } },
  'readiness.refresh': { jobId: { kind: 'guid', required: true } },
  'helpdesk.ask': REQUIRED_USER,
  'readiness.page': { jobId: { kind: 'guid', required: true }, page: { kind: 'text', maxLength: 5 } },
} as const satisfies Record<string, ActionSpec>;

export type Verb = keyof typeof VERBS;
