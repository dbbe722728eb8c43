import type { claimValidationView } from './claim-validation-views.js';
import type { agentEligibilityView, candidatesView, colleagueEligibilityView } from './eligibility-views.js';

/**
 * Each template in adaptive-cards/ with the view model it binds, so a wrong name or a missing field
 * does not compile. test/cards/templates.test.ts proves this list and the folder agree.
 */
interface Fact {
  title: string;
  value: string;
}

export interface CardViews {
  welcome: {
    title: string;
    /** Helpdesk-only lines (Escalate, readiness report) only for agents. */
    isAgent: boolean;
    /** "requests": agents and approvers. */
    canListRequests: boolean;
    contactLine: string;
  };
  help: { said: string };
  notice: { title: string; message: string };
  /** `nextStep`: what to do after a refusal (src/teams/next-steps.ts); empty when its words say it. */
  error: { title: string; message: string; reference: string; code: string; nextStep: string };
  guide: {
    heading: string;
    signInHint: string;
    userId: string;
    /** The plain-text guide's language: the reader's first (src/teams/guide-text.ts). */
    language: string;
    languages: { title: string; value: string }[];
  };
  'guide-text': { heading: string; text: string; mailUrl: string };
  'eligibility-agent': ReturnType<typeof agentEligibilityView>;
  'eligibility-colleague': ReturnType<typeof colleagueEligibilityView>;
  'user-choice': ReturnType<typeof candidatesView>;
  'recovery-attempt': ReturnType<typeof claimValidationView> & { title: string; checkTitle: string };
  'diagnosis-start': {
    forWhom: string;
    symptoms: { id: string; label: string }[];
    askForUser: boolean;
    userId: string;
  };
  diagnosis: {
    heading: string;
    subheading: string;
    entries: {
      title: string;
      meaning: string;
      nextStep: string;
      causes: { icon: string; weight: string; text: string; fix: string; whoCanFix: string; finding: string }[];
    }[];
    unknownCodes: string[];
    unknownCodesText: string;
    nothingMatched: boolean;
    hasClaimValidation: boolean;
    claimValidation: ReturnType<typeof claimValidationView>;
    hasAttempt: boolean;
    attempt: { heading: string; steps: object[]; stopped: string };
    evidenceNote: string;
    hasDetails: boolean;
    details: { correlationId: string; timestamp: string };
    userId: string;
  };
  'escalation-request': {
    target: { id: string; name: string; userPrincipalName: string };
    passSettings: string;
    note: string;
  };
  escalation: {
    requestId: string;
    userIds: string[];
    title: string;
    targetName: string;
    stateLabel: string;
    style: string;
    status: string;
    notice: string;
    delivery: string;
    facts: Fact[];
    canDecide: boolean;
    canApprove: boolean;
    /** Approve in one click: the caller passed verification, or verification is off. */
    approveNow: boolean;
    /** Approve only after a second click that says what is accepted (no pass under `optional`). */
    approveAfterConfirm: boolean;
    acceptKind: string;
    acceptTitle: string;
    acceptText: string;
    canCancel: boolean;
    passSettings: string;
    /** The requester may start caller verification with Verified ID. */
    canVerify: boolean;
    /** Why Approve is not offered yet (caller verification required), for everyone who sees the card. */
    verificationNote: string;
  };
  'escalation-list': {
    title: string;
    requests: { requestId: string; target: string; state: string; detail: string }[];
  };
  'tap-issued': {
    requestId: string;
    targetName: string;
    userPrincipalName: string;
    code: string;
    /** The pass for reading aloud (src/teams/read-aloud.ts). */
    codeGroups: string;
    codeSpelled: string;
    startsAt: string;
    expiresAt: string;
    oneTime: string;
  };
  'tap-handed-over': { targetName: string; removedAt: string; state: string };
  'outcome-notice': { title: string; message: string; facts: Fact[] };
  'escalate-choose': { message: string };
  'readiness-progress': {
    title: string;
    status: string;
    checked: string;
    ready: string;
    notReady: string;
    running: boolean;
    jobId: string;
  };
  'readiness-summary': {
    title: string;
    scope: string;
    members: string;
    ready: string;
    notReady: string;
    fixes: { line: string }[];
    requirements: { id: string; name: string | undefined; counts: string }[];
    notes: { line: string }[];
    csvNote: string;
    /** The not-ready members by fix, a page at a time (1:1 chat only; empty in a group chat). */
    listHeading: string;
    groups: {
      heading: string;
      members: { id: string; name: string; upn: string; canEscalate: boolean; blocked: string }[];
    }[];
    pageLabel: string;
    jobId: string;
    hasPrevious: boolean;
    hasNext: boolean;
    previousPage: string;
    nextPage: string;
  };
}

export type TemplateName = keyof CardViews;

export const TEMPLATE_NAMES = [
  'welcome',
  'help',
  'notice',
  'error',
  'guide',
  'guide-text',
  'eligibility-agent',
  'eligibility-colleague',
  'user-choice',
  'recovery-attempt',
  'diagnosis-start',
  'diagnosis',
  'escalation-request',
  'escalation',
  'escalation-list',
  'tap-issued',
  'tap-handed-over',
  'readiness-progress',
  'readiness-summary',
  'outcome-notice',
  'escalate-choose',
] as const satisfies readonly TemplateName[];
