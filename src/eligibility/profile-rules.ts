import type { EligibilityFacts } from './facts.js';
import { missingNameFields, type NameMatchLevel, nameRisks, nameWarnings } from './names.js';
import { chooseProfile, describeProfile, type ProfileChoice, whyItApplies } from './profiles.js';
import type { ResultReason } from './requirements.js';
import {
  groupName,
  hiddenFrom,
  hiddenReason,
  minutesBetween,
  plural,
  type RequirementResult,
  requirement,
} from './result.js';
import { ALL_USERS } from './tap-scope.js';

/*
 * The requirements the identity verification profile decides: E2 (a profile applies), E4 (names
 * under its match level), E5 (namesakes, unless its claim validation extension tells them apart)
 * and E8 (its mode). The profile is the first matching one (profiles.ts).
 */

/** A target id as the card names it. */
export function targetName(facts: EligibilityFacts, id: string): string {
  return id === ALL_USERS ? 'all users' : id === facts.user.id ? 'the user by name' : `"${groupName(facts, id)}"`;
}

// E2 ──────────────────────────────────────────────────────────────────────────────────────────
const RECENTLY_ADDED_MINUTES = 30;

export function inRecoveryGroup(facts: EligibilityFacts): RequirementResult {
  const check = requirement('E2');
  const { recoveryScope, membership, addedToRecoveryGroupAt } = facts;
  if (!recoveryScope.known) return check.unknown(recoveryScope.reason);
  if (!membership.known) return check.unknown(membership.reason);

  const scope = recoveryScope.value;
  const label = (ids: string[]) => ids.map((id) => `"${scope.groupNames[id] ?? id}"`).join(', ');
  const direct = new Set(membership.value.directGroupIds);
  const any = new Set([...direct, ...membership.value.transitiveGroupIds]);
  const from = scope.source === 'graph' ? "the tenant's recovery settings" : "the bot's configuration";

  const excludedBy = scope.excludeGroupIds.filter((id) => any.has(id));
  if (excludedBy.length > 0) {
    return check.fail(
      `Member of ${label(excludedBy)}, which is excluded from account recovery (groups from ${from}).`,
      `Admin: take the user out of ${label(excludedBy)} if they should be able to recover; exclusions win.`,
    );
  }
  if (facts.user.id && scope.excludeUserIds?.includes(facts.user.id)) {
    return check.fail(
      `Excluded from account recovery by name (per ${from}).`,
      'Admin: remove the user from the exclusions under Account recovery if they should be able to recover.',
    );
  }
  const choice = chooseProfile(facts);
  const applies = choice.kind === 'applies' ? ` ${whyItApplies(choice, (id) => targetName(facts, id))}` : '';
  if (choice.kind === 'inactive') {
    return check.fail(
      `In ${choice.via.map((id) => targetName(facts, id)).join(', ')}, whose identity verification ${plural(choice.inactive.length, 'profile', 'profiles')} ${choice.inactive.map(({ profile, why }) => `"${profile.name}" ${why === 'disabled' ? 'is disabled' : `serves ${profile.purposes?.join(', ') || 'no purpose'}, not recovery`}`).join('; ')}: no profile offers them recovery (per ${from}).`,
      'Admin (Authentication Administrator): enable that profile under Entra ID > Account recovery > Profiles, or add the user to a group an enabled recovery profile includes.',
    );
  }
  if (facts.user.id && scope.includeUserIds?.includes(facts.user.id)) {
    return check.pass(`Assigned to account recovery by name, as a user (per ${from}).${applies}`);
  }
  if (scope.includeGroupIds.length === 0) {
    const idle = Object.values(scope.linkedProfiles ?? {}).flat();
    return check.fail(
      scope.source === 'graph'
        ? `No enabled identity verification profile serves account recovery for any group in this tenant${idle.length > 0 ? ` (${[...new Set(idle.map((p) => `"${p.name}"${p.state === 'enabled' ? '' : ` ${p.state}`}`))].join(', ')})` : ''}; the bot does not fall back to its own configuration once it has read the tenant's.`
        : `Account recovery is assigned to no group (per ${from}).`,
      'Admin (Authentication Administrator): create or enable a profile for a group that includes the user under Entra ID > Account recovery > Profiles.',
    );
  }
  if (scope.includeGroupIds.includes(ALL_USERS)) {
    return check.pass(`Account recovery is assigned to all users (per ${from}).${applies}`);
  }
  const directIn = scope.includeGroupIds.filter((id) => direct.has(id));
  const nestedIn = scope.includeGroupIds.filter((id) => any.has(id) && !direct.has(id));
  const hidden = hiddenFrom(facts);
  if (directIn.length === 0 && nestedIn.length === 0) {
    const unseen = scope.includeGroupIds.filter((id) => hidden.has(id));
    if (unseen.length > 0) return check.unknown(hiddenReason(label(unseen)));
    return check.fail(
      `Not a member of the recovery group ${label(scope.includeGroupIds)} (groups from ${from}).`,
      `Admin: add the user directly to ${label(scope.includeGroupIds.slice(0, 1))}; then the user waits a while, as the "Recover your account" link can take minutes to appear.`,
    );
  }

  const hiddenExclusions = scope.excludeGroupIds.filter((id) => hidden.has(id));
  if (hiddenExclusions.length > 0) return check.unknown(hiddenReason(label(hiddenExclusions)));
  const evidence = [
    directIn.length > 0
      ? `Direct member of ${label(directIn)} (groups from ${from}).${applies}`
      : `Member of ${label(nestedIn)} only through a nested group (groups from ${from}); whether nested membership counts is not confirmed.${applies}`,
  ];
  const fixes: string[] = [];
  const reasons: ResultReason[] = [];
  if (directIn.length === 0) {
    fixes.push(`Admin: add the user directly to ${label(nestedIn.slice(0, 1))} to be sure.`);
    reasons.push('nested-only');
  }
  if (addedToRecoveryGroupAt.known && addedToRecoveryGroupAt.value) {
    const minutes = minutesBetween(addedToRecoveryGroupAt.value, facts.readAt);
    if (minutes !== undefined && minutes < RECENTLY_ADDED_MINUTES) {
      evidence.push(
        `Added ${plural(minutes, 'minute')} ago; the "Recover your account" link can take a while to appear.`,
      );
      fixes.push(
        'User: wait about half an hour after being added, then start again from any sign-in ("Other ways to sign in" > "Recover your account") or https://aka.ms/mfasetup.',
      );
      reasons.push('recently-added');
    }
  } else if (!addedToRecoveryGroupAt.known) {
    evidence.push(`When they were added is unknown (${addedToRecoveryGroupAt.reason}).`);
  }
  return fixes.length > 0 ? check.warn(evidence.join(' '), fixes.join(' '), reasons) : check.pass(evidence.join(' '));
}

// E4 ──────────────────────────────────────────────────────────────────────────────────────────
/**
 * The applicable profile's match confidence level decides what in a name is a risk (names.ts,
 * nameRisks). Without a profile, or when its bindings do not say, the stricter exact level is assumed.
 */
function matchLevelOf(choice: ProfileChoice): { level: NameMatchLevel; said: string } {
  if (choice.kind === 'applies') {
    const level = choice.profile.matchLevel;
    return level
      ? {
          level,
          said: `Profile "${choice.profile.name}" matches names ${level === 'exact' ? 'exactly' : 'relaxed (any word of the ID)'}.`,
        }
      : {
          level: 'exact',
          said: `Profile "${choice.profile.name}" does not say its match confidence level in Graph, so the stricter exact matching is assumed.`,
        };
  }
  return {
    level: 'exact',
    said: 'No profile applies to tell the match level, so the stricter exact matching is assumed.',
  };
}

/** Who can change a name: synchronised users' names change on premises, where Entra's copy comes from. */
export function nameFixer(facts: EligibilityFacts): string {
  return facts.user.onPremisesSyncEnabled === true
    ? 'Admin: the account is synchronised from on-premises Active Directory, so change First name and Last name there (Entra refuses cloud edits to synchronised names); the change arrives with the next sync'
    : 'Admin (User Administrator): change First name and Last name in the Entra admin center (Users > Edit properties)';
}

export function namesMatchTheId(facts: EligibilityFacts): RequirementResult {
  const { user } = facts;
  const check = requirement('E4');
  const { level, said } = matchLevelOf(chooseProfile(facts));
  // Quoted exactly as stored: the agent compares them character by character with the ID.
  const names = `First name "${user.givenName ?? ''}", Last name "${user.surname ?? ''}".`;
  const warnings = [...nameWarnings(user, level), ...nameRisks(level, user).map((risk) => risk.message)];
  if (missingNameFields(user).length > 0) {
    return check.fail(
      `${names} ${warnings.join(' ')}`,
      `${nameFixer(facts)}, exactly as on the government ID; the user tries again afterwards.`,
    );
  }
  if (warnings.length > 0) {
    return check.warn(
      `${names} ${said} ${warnings.join(' ')}`,
      `Helpdesk: compare both names with the person's ID; if they differ: ${nameFixer(facts)}, before the user starts.`,
    );
  }
  return check.pass(`${names} ${said} Nothing looks unusual; confirm both match the person's ID.`);
}

// E5 ──────────────────────────────────────────────────────────────────────────────────────────
/**
 * Microsoft's account recovery FAQ: "Without a custom authentication extension, recovery attempts
 * from users with the same name as another user may be blocked", with no group restriction. With
 * claim validation on the applicable profile, the extension decides: a warning. Twins are found
 * tenant-wide, case- and accent-folded, from the people index (the same for a check and the report).
 * https://learn.microsoft.com/entra/identity/authentication/self-service-account-recovery
 */
export function hasNoNameTwin(facts: EligibilityFacts): RequirementResult {
  const { user, nameTwins } = facts;
  const check = requirement('E5');
  if (!nameTwins.known) return check.unknown(nameTwins.reason);
  const twins = nameTwins.value.filter((twin) => twin.id !== user.id);
  const listed = (list: typeof twins) =>
    list.map((twin) => `${twin.displayName} (${twin.userPrincipalName})`).join(', ');
  const inGroup = twins.filter((twin) => twin.inRecoveryGroup !== false);
  const outside = twins.filter((twin) => twin.inRecoveryGroup === false);
  const choice = chooseProfile(facts);
  if (twins.length > 0 && choice.kind === 'applies' && choice.profile.claimValidation?.enabled) {
    return check.warn(
      `Shares First + Last name with ${listed(twins)}. Profile ${describeProfile(choice.profile)} validates the ID's claims with a custom authentication extension, so the extension decides whether they can be told apart.`,
      'Helpdesk: if recovery stops at the name check, escalate for a human-approved TAP; Admin: make sure the extension can tell these two apart (for example by employee ID).',
    );
  }
  if (inGroup.length > 0) {
    const unsure = inGroup.some((twin) => twin.inRecoveryGroup === undefined)
      ? ' (whether they are in the recovery group could not be told)'
      : '';
    return check.fail(
      `Shares First + Last name with ${listed(inGroup)}${unsure}; without a claim validation extension, Microsoft may block recovery for users with the same name.${outside.length > 0 ? ` Also shares it with ${listed(outside)} elsewhere in the tenant.` : ''}`,
      'Admin (Authentication Administrator): turn on additional claim validation (a custom authentication extension) in the profile, or move one of them out of the recovery group. Helpdesk: escalate for a human-approved TAP meanwhile.',
    );
  }
  if (outside.length > 0) {
    return check.fail(
      `Shares First + Last name with ${listed(outside)}, who is not in the recovery group; Microsoft blocks recovery for users with the same name as another user, in the group or not.`,
      'Helpdesk: escalate for a human-approved TAP; the names must stay as on the ID. Admin (Authentication Administrator): a claim validation extension in the profile can tell them apart.',
    );
  }
  return check.pass('No other user in the tenant has the same First + Last name (case and accents aside).');
}

// E8 ──────────────────────────────────────────────────────────────────────────────────────────
/**
 * The mode of the profile that applies to this user (`isEnabledForTestOnly` of its recovery usage):
 * Evaluation "rehearses verification", and the user sees the evaluation-mode screen after verifying.
 * https://learn.microsoft.com/graph/api/resources/verifiedidusageconfiguration,
 * https://learn.microsoft.com/entra/identity/authentication/how-to-account-recovery-for-users (Troubleshooting)
 */
export function recoveryIsInProduction(facts: EligibilityFacts): RequirementResult {
  const check = requirement('E8');
  const { recoveryScope } = facts;
  if (!recoveryScope.known) return check.unknown(recoveryScope.reason);
  const scope = recoveryScope.value;
  const evaluationFix =
    'Admin (Authentication Administrator): switch the profile to Production under Entra ID > Account recovery > Profiles. Helpdesk: escalate for a human-approved TAP meanwhile.';
  const choice = chooseProfile(facts);
  switch (choice.kind) {
    case 'unknown':
      return check.unknown(choice.reason);
    case 'configured': {
      const from =
        scope.source === 'graph'
          ? "the tenant's recovery profile"
          : "the bot's configuration; the tenant's profiles could not be read";
      return scope.mode === 'evaluation'
        ? check.fail(
            `Account recovery is in Evaluation mode (from ${from}): it rehearses verification and recovers nothing.`,
            evaluationFix,
          )
        : check.pass(`Account recovery is in Production mode (from ${from}).`);
    }
    case 'untargeted':
    case 'inactive':
      return scope.mode === 'evaluation'
        ? check.fail(
            'Every recovery profile is in Evaluation mode: it rehearses verification and recovers nothing.',
            evaluationFix,
          )
        : check.pass('No profile applies to the user (see E2); at least one recovery profile is in Production mode.');
    case 'applies': {
      const why = whyItApplies(choice, (id) => targetName(facts, id));
      const differing = choice.tiedWith.filter((p) => p.mode !== choice.profile.mode);
      if (differing.length > 0) {
        return check.warn(
          `${why} ${differing.map((p) => `"${p.name}"`).join(', ')} has the same priority in the other mode, so recovery may only rehearse.`,
          'Admin (Authentication Administrator): give the profiles different priorities under Account recovery > Profiles > Set priority. Helpdesk: if the user is verified and gets no pass, escalate.',
        );
      }
      return choice.profile.mode === 'production'
        ? check.pass(why)
        : check.fail(
            `${why} Evaluation mode rehearses verification and recovers nothing: the user sees the evaluation-mode screen after verifying.`,
            evaluationFix,
          );
    }
  }
}
