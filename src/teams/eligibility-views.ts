import { sameNameKey } from '../app/check.js';
import type { HelpdeskContact } from '../config.js';
import type { Fact, RecoveryScope } from '../eligibility/facts.js';
import { PASS_BLOCKER_TEXT, type PassBlocker } from '../eligibility/pass-gate.js';
import type { colleagueView, Eligibility, RequirementResult } from '../eligibility/rules.js';
import type { Status } from '../eligibility/status.js';
import type { DirectoryUser } from '../eligibility/user-query.js';
import type { RecoveryAttempt } from '../recovery-extension/attempts.js';
import { cardTime, plain } from './cards.js';
import { claimValidationView, NO_CLAIM_VALIDATION } from './claim-validation-views.js';
import { contactLine } from './helpdesk.js';
import { inReaderTime, t } from './locale.js';

/**
 * View models for the eligibility cards. The colleague's model is built from the colleague view
 * only, so its card cannot carry agent-only fields (dates, groups, policies) by construction.
 */

/** Each status has its word beside its icon and colour, so no meaning rests on colour or emoji alone. */
const LOOK: Record<Status, { icon: string; label: () => string; color: string; style: string }> = {
  pass: { icon: '✅', label: () => t('pass'), color: 'Good', style: 'good' },
  warn: { icon: '⚠️', label: () => t('check'), color: 'Warning', style: 'warning' },
  fail: { icon: '❌', label: () => t('fail'), color: 'Attention', style: 'attention' },
  unknown: { icon: '❔', label: () => t('unknown'), color: 'Default', style: 'emphasis' },
};

const VERDICT: Record<Status, (name: string) => string> = {
  pass: (name) => t('SSAR should work for ${name}', { name }),
  warn: (name) => t('SSAR should work for ${name}, with warnings', { name }),
  unknown: (name) => t('Not sure yet whether SSAR works for ${name}', { name }),
  fail: (name) => t('SSAR will not work for ${name} yet', { name }),
};

/** What the agent looks at first: failures, then checks that could not run, then warnings. */
const ATTENTION_ORDER: Status[] = ['fail', 'unknown', 'warn'];

export function agentEligibilityView(
  user: DirectoryUser,
  eligibility: Eligibility,
  scope: Fact<RecoveryScope>,
  readAt: Date,
  blocker: PassBlocker | undefined,
  claimValidation?: RecoveryAttempt,
) {
  const name = plain(user.displayName ?? user.userPrincipalName ?? t('this user'));
  const problems = ATTENTION_ORDER.flatMap((status) =>
    eligibility.results.filter((result) => result.status === status),
  );
  const passing = eligibility.results.filter((result) => result.status === 'pass');
  const look = LOOK[eligibility.verdict];
  return {
    verdict: { icon: look.icon, style: look.style, label: VERDICT[eligibility.verdict](name) },
    nextStep: nextStep(problems[0]),
    summary: plain(eligibility.summary, 1000),
    user: {
      id: user.id,
      displayName: name,
      userPrincipalName: plain(user.userPrincipalName),
      // Exactly as stored, quoted so leading or trailing spaces show.
      givenName: user.givenName ? `"${plain(user.givenName)}"` : t('(empty)'),
      surname: user.surname ? `"${plain(user.surname)}"` : t('(empty)'),
    },
    hasProblems: problems.length > 0,
    problems: problems.map(requirementView),
    hasPassing: passing.length > 0,
    passing: passing.map(requirementView),
    passingSummary: t('${passed} of ${total} checks pass.', {
      passed: passing.length,
      total: eligibility.results.length,
    }),
    checkCount: eligibility.results.length,
    scopeSource: scope.known
      ? scope.value.source === 'graph'
        ? t("Recovery groups and mode read from the tenant's account recovery settings.")
        : t("Recovery groups and mode from the bot's configuration (the tenant's recovery settings could not be read).")
      : t('Recovery groups unknown: ${reason}.', { reason: plain(scope.reason) }),
    checkedAt: cardTime(readAt),
    hasClaimValidation: claimValidation !== undefined,
    claimValidation: claimValidation ? claimValidationView(claimValidation) : NO_CLAIM_VALIDATION,
    // No button the escalation would refuse: why not, instead.
    canEscalate: blocker === undefined,
    passBlocked: blocker ? t(PASS_BLOCKER_TEXT[blocker]) : '',
    // The guide only helps someone who can recover with it: warn before sending it to anyone else.
    canSelfRecover: eligibility.canSelfRecover,
    guideWarning: eligibility.canSelfRecover
      ? ''
      : t(
          'The check says ${name} cannot recover on their own yet, so the guide will not work for them until ${id} is fixed. Send it anyway?',
          { name, id: problems[0]?.id ?? '' },
        ),
  };
}

/** The headline's one line: the first problem's fix, or what to do when there is none. */
function nextStep(first: RequirementResult | undefined): string {
  if (!first) return t('Next: send them the guide; they can recover on their own.');
  if (first.fix) return t('Next: ${fix}', { fix: plain(first.fix) });
  if (first.status === 'unknown') return t('Next: check ${id} by hand; I could not check it.', { id: first.id });
  return t('Next: look at ${id} below, then send them the guide.', { id: first.id });
}

function requirementView(result: RequirementResult) {
  const look = LOOK[result.status];
  const evidence =
    result.status === 'unknown' && result.unknownReason
      ? t('Could not check: ${reason}.', { reason: result.unknownReason })
      : result.evidence;
  return {
    id: result.id,
    title: plain(result.title),
    icon: look.icon,
    statusLabel: look.label(),
    color: look.color,
    evidence: plain(inReaderTime(evidence), 1000),
    fix: plain(result.fix ?? ''),
  };
}

export function colleagueEligibilityView(
  user: Pick<DirectoryUser, 'id' | 'displayName'>,
  view: ReturnType<typeof colleagueView>,
  contact: HelpdeskContact | undefined,
) {
  const name = plain(user.displayName ?? t('This person'));
  return {
    heading: view.canSelfRecover
      ? t('${name} can recover on their own', { name })
      : t('${name} needs the helpdesk', { name }),
    // The core's two fixed sentences are message ids of their own.
    message: t(view.message),
    nextStep: view.canSelfRecover
      ? t('Forward them the guide: it walks them through recovery step by step.')
      : t('Ask them to contact the helpdesk. You can forward the guide meanwhile.'),
    userId: user.id,
    // How to reach the helpdesk, on every colleague answer (HELPDESK_CONTACT).
    contactLine: contactLine(contact),
    contactUrl: contact?.url ?? '',
    contactTitle: contact ? contactTitle(contact.kind) : '',
  };
}

function contactTitle(kind: HelpdeskContact['kind']): string {
  if (kind === 'phone') return t('Call the helpdesk');
  return kind === 'mail' ? t('Mail the helpdesk') : t('Open the helpdesk page');
}

/**
 * Several people match. An agent tells them apart by sign-in name and job title; anyone else sees
 * names only, and a name several of them share is one line that sends them to the helpdesk.
 */
export function candidatesView(query: string, users: DirectoryUser[], limit: number, forAgent: boolean) {
  const sharing = new Map<string, number>();
  for (const u of users) sharing.set(sameNameKey(u.displayName), (sharing.get(sameNameKey(u.displayName)) ?? 0) + 1);
  const shown = forAgent
    ? users
    : users.filter((u, i) => users.findIndex((o) => sameNameKey(o.displayName) === sameNameKey(u.displayName)) === i);
  return {
    query: plain(query, 100),
    candidates: shown.map((u) => {
      const namesakes = forAgent ? 1 : (sharing.get(sameNameKey(u.displayName)) ?? 1);
      return {
        id: u.id,
        displayName: plain(
          forAgent ? (u.displayName ?? u.userPrincipalName ?? u.id) : (u.displayName ?? t('(no name)')),
        ),
        detail: forAgent
          ? plain([u.userPrincipalName, u.jobTitle].filter(Boolean).join(' · '))
          : namesakes > 1
            ? t('${count} people have this name: ask the helpdesk, who can tell them apart.', { count: namesakes })
            : '',
        canCheck: namesakes === 1,
      };
    }),
    more: users.length >= limit,
    shown: users.length,
  };
}
