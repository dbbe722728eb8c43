import type { EligibilityFacts, RecoveryProfile } from './facts.js';
import { ALL_USERS } from './tap-scope.js';

/*
 * Which identity verification profile applies to this user. The account recovery FAQ: "When a user
 * belongs to groups that match multiple profiles, the system evaluates profiles in priority order
 * and applies the first matching profile." A profile is linked to its include targets (groups,
 * users, all users) through the Verifiable Credentials method's `includeTargets[].verifiedIdProfiles`;
 * exclusions are feature-wide (how-to-account-recovery-enable: "Exclusions are feature-wide").
 * https://learn.microsoft.com/entra/identity/authentication/self-service-account-recovery
 * https://learn.microsoft.com/graph/api/resources/verifiablecredentialauthenticationmethodtarget
 * https://learn.microsoft.com/graph/api/resources/verifiedidprofile (state, priority)
 * https://learn.microsoft.com/graph/api/resources/verifiedidusageconfiguration (purpose)
 *
 * Graph documents `priority` only as "profile processing priority"; the admin center lists 1, 2, 3
 * under "Set priority", so the bot takes the lowest number as evaluated first, and says so on the card.
 */

// https://learn.microsoft.com/graph/api/resources/verifiedidusageconfiguration: `all` covers recovery too.
const RECOVERY_PURPOSES = new Set(['recovery', 'all']);

/** Why a profile linked to the user's target does not serve them. */
export type InactiveReason = 'disabled' | 'other-purpose';

export type ProfileChoice =
  /** The first matching profile; `tiedWith` are matching profiles of the same priority (order undocumented). */
  | { kind: 'applies'; profile: RecoveryProfile; via: string[]; others: RecoveryProfile[]; tiedWith: RecoveryProfile[] }
  /** The user's targets link only profiles that serve no one (disabled) or serve another purpose. */
  | { kind: 'inactive'; via: string[]; inactive: { profile: RecoveryProfile; why: InactiveReason }[] }
  /** No include target holds the user. */
  | { kind: 'untargeted' }
  | { kind: 'unknown'; reason: string }
  /** The scope came from the bot's configuration: there is no profile to choose. */
  | { kind: 'configured' };

export function servesRecovery(profile: RecoveryProfile): InactiveReason | undefined {
  if (profile.state !== undefined && profile.state !== 'enabled') return 'disabled';
  if (profile.purposes && !profile.purposes.some((purpose) => RECOVERY_PURPOSES.has(purpose))) return 'other-purpose';
  return undefined;
}

/** Lowest priority number first; a profile without a priority comes last. */
export function byPriority(a: RecoveryProfile, b: RecoveryProfile): number {
  return (a.priority ?? Number.POSITIVE_INFINITY) - (b.priority ?? Number.POSITIVE_INFINITY);
}

// Four rules ask for the same snapshot's profile; the readiness scan asks for thousands of snapshots.
const chosen = new WeakMap<EligibilityFacts, ProfileChoice>();

/** The profile that applies to this user, from the tenant's profiles and the user's groups. */
export function chooseProfile(facts: EligibilityFacts): ProfileChoice {
  let choice = chosen.get(facts);
  if (!choice) {
    choice = choose(facts);
    chosen.set(facts, choice);
  }
  return choice;
}

function choose(facts: EligibilityFacts): ProfileChoice {
  const { recoveryScope, membership, user } = facts;
  if (!recoveryScope.known) return { kind: 'unknown', reason: recoveryScope.reason };
  const linked = recoveryScope.value.linkedProfiles;
  if (recoveryScope.value.source !== 'graph' || !linked) return { kind: 'configured' };
  const groups = membership.known
    ? new Set([...membership.value.directGroupIds, ...membership.value.transitiveGroupIds])
    : undefined;
  const via = Object.keys(linked).filter((id) => id === ALL_USERS || id === user.id || groups?.has(id));
  if (via.length === 0) {
    const groupTargets = Object.keys(linked).some((id) => id !== ALL_USERS && id !== user.id);
    if (!membership.known && groupTargets) return { kind: 'unknown', reason: membership.reason };
    return { kind: 'untargeted' };
  }
  const profiles = [...new Map(via.flatMap((id) => linked[id]!).map((p) => [p.id ?? p.name, p])).values()];
  const serving = profiles.filter((profile) => !servesRecovery(profile)).sort(byPriority);
  const [first, ...others] = serving;
  if (!first) {
    return {
      kind: 'inactive',
      via,
      inactive: profiles.map((profile) => ({ profile, why: servesRecovery(profile)! })),
    };
  }
  return {
    kind: 'applies',
    profile: first,
    via: via.filter((id) => linked[id]!.some((p) => p === first || (p.id !== undefined && p.id === first.id))),
    others,
    tiedWith: others.filter((other) => (other.priority ?? null) === (first.priority ?? null)),
  };
}

/** `"Name" (Production, priority 0, exact matching, claim validation)` for the agent's card. */
export function describeProfile(profile: RecoveryProfile): string {
  const parts = [profile.mode === 'production' ? 'Production' : 'Evaluation'];
  if (profile.priority !== undefined) parts.push(`priority ${profile.priority}`);
  if (profile.state !== undefined && profile.state !== 'enabled') parts.push(profile.state);
  if (profile.matchLevel) parts.push(`${profile.matchLevel} name matching`);
  if (profile.claimValidation?.enabled) parts.push('claim validation by a custom authentication extension');
  return `"${profile.name}" (${parts.join(', ')})`;
}

/** Why this profile applies, in one sentence: the agent can tell the user's admin which one to change. */
export function whyItApplies(choice: Extract<ProfileChoice, { kind: 'applies' }>, targetName: (id: string) => string) {
  const through = choice.via.map(targetName).join(', ');
  const order =
    choice.others.length === 0
      ? 'the only enabled recovery profile linked to them'
      : choice.tiedWith.length > 0
        ? `tied on priority with ${choice.tiedWith.map((p) => `"${p.name}"`).join(', ')}; which of them Entra evaluates first is not documented`
        : `the first matching profile by priority (lowest number first), ahead of ${choice.others.map((p) => `"${p.name}"`).join(', ')}`;
  return `Profile ${describeProfile(choice.profile)} applies through ${through}: ${order}.`;
}
