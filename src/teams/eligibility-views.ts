import type { colleagueView, Eligibility, RequirementResult } from '../eligibility/rules.js';
import type { RecoveryScope, Fact } from '../eligibility/facts.js';
import type { Status } from '../eligibility/status.js';
import type { DirectoryUser } from '../directory/users.js';
import { plain, utcMinute } from './cards.js';

/**
 * View models for the eligibility cards. The colleague's model is built from the colleague view
 * only, so its card cannot carry agent-only fields (dates, groups, policies) by construction.
 */

const LOOK: Record<Status, { icon: string; label: string; color: string; style: string }> = {
  pass: { icon: '✅', label: 'pass', color: 'Good', style: 'good' },
  warn: { icon: '⚠️', label: 'check', color: 'Warning', style: 'warning' },
  fail: { icon: '❌', label: 'fail', color: 'Attention', style: 'attention' },
  unknown: { icon: '❔', label: 'unknown', color: 'Default', style: 'emphasis' },
};

const VERDICT: Record<Status, (name: string) => string> = {
  pass: (name) => `SSAR should work for ${name}`,
  warn: (name) => `SSAR should work for ${name}, with warnings`,
  unknown: (name) => `Not sure yet whether SSAR works for ${name}`,
  fail: (name) => `SSAR will not work for ${name} yet`,
};

export function agentEligibilityView(user: DirectoryUser, eligibility: Eligibility, scope: Fact<RecoveryScope>, readAt: Date) {
  const name = plain(user.displayName ?? user.userPrincipalName ?? 'this user');
  return {
    verdict: { ...LOOK[eligibility.verdict], label: VERDICT[eligibility.verdict](name) },
    summary: plain(eligibility.summary, 1000),
    user: {
      id: user.id,
      displayName: name,
      userPrincipalName: plain(user.userPrincipalName),
      // Exactly as stored, quoted so leading or trailing spaces show.
      givenName: user.givenName ? `"${plain(user.givenName)}"` : '(empty)',
      surname: user.surname ? `"${plain(user.surname)}"` : '(empty)',
    },
    requirements: eligibility.results.map((result) => requirementView(result)),
    scopeSource: scope.known
      ? scope.value.source === 'graph'
        ? "Recovery groups and mode read from the tenant's account recovery settings."
        : "Recovery groups and mode from the bot's configuration (the tenant's recovery settings could not be read)."
      : `Recovery groups unknown: ${plain(scope.reason)}.`,
    checkedAt: utcMinute(readAt),
  };
}

function requirementView(result: RequirementResult) {
  const look = LOOK[result.status];
  const evidence = result.status === 'unknown' && result.unknownReason ? `Could not check: ${result.unknownReason}.` : result.evidence;
  return {
    id: result.id,
    title: plain(result.title),
    icon: look.icon,
    statusLabel: look.label,
    color: look.color,
    evidence: plain(evidence, 1000),
    fix: plain(result.fix ?? ''),
  };
}

export function colleagueEligibilityView(user: Pick<DirectoryUser, 'id' | 'displayName'>, view: ReturnType<typeof colleagueView>) {
  const name = plain(user.displayName ?? 'This person');
  return {
    heading: view.canSelfRecover ? `${name} can recover on their own` : `${name} needs the helpdesk`,
    message: view.message,
    nextStep: view.canSelfRecover
      ? 'Forward them the guide: it walks them through recovery step by step.'
      : 'Ask them to contact the helpdesk. You can forward the guide meanwhile.',
    userId: user.id,
  };
}

export function candidatesView(query: string, users: DirectoryUser[], limit: number) {
  return {
    query: plain(query, 100),
    candidates: users.map((u) => ({
      id: u.id,
      displayName: plain(u.displayName ?? u.userPrincipalName ?? u.id),
      detail: plain([u.userPrincipalName, u.jobTitle].filter(Boolean).join(' · ')),
    })),
    more: users.length >= limit,
    shown: users.length,
  };
}
