import type * as Graph from '@microsoft/microsoft-graph-types';
import { externalUserType } from './external-users.js';
import type { Fact, GroupMembership } from './facts.js';
import { bestStatus, type Status, worstStatus } from './status.js';
import { REGISTER_SECURITY_INFO } from './tap-scope.js';

/*
 * E7: would a Conditional Access policy stop a Temporary Access Pass holder from registering new
 * security info? Only policies on the "Register security information" user action count.
 * E12: which policies on cloud apps might interrupt the recovery sign-in itself.
 */

export { REGISTER_SECURITY_INFO };

export interface ConditionalAccessSubject {
  user: Graph.User;
  membership: Fact<GroupMembership>;
  /** Built-in roles actively assigned at tenant scope: the only roles CA role conditions match (roles.ts). */
  roleTemplateIds: Fact<string[]>;
  /** The TAP policy's one-time setting; undefined when the policy could not be read. */
  tapIsUsableOnce: boolean | undefined;
  /** The tenant's named locations, to tell which excluded locations are trusted. */
  namedLocations?: Fact<Graph.NamedLocation[]>;
}

/** One registration policy's effect on this user; `pass` means it lets a TAP through. */
export interface PolicyFinding {
  policyId: string;
  policyName: string;
  status: Status;
  reason: string;
}

/** Findings for every enabled or report-only policy on the registration user action. */
export function registrationPolicyFindings(
  policies: Graph.ConditionalAccessPolicy[],
  subject: ConditionalAccessSubject,
): PolicyFinding[] {
  return policies
    .filter((policy) => policy.state !== 'disabled')
    .filter((policy) => policy.conditions?.applications?.includeUserActions?.includes(REGISTER_SECURITY_INFO))
    .map((policy) => evaluatePolicy(policy, subject));
}

/**
 * Policies on all cloud apps that the recovery sign-in itself must get past (E12): "If a policy
 * blocks access or requires controls, such as a compliant device, trusted location, or multifactor
 * authentication, the user's recovery attempt might be interrupted or blocked" (account recovery FAQ,
 * https://learn.microsoft.com/entra/identity/authentication/self-service-account-recovery). "Might":
 * so these warn, never fail, and multifactor-only policies count too. Every grant and session control
 * is named (https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols,
 * conditionalaccesssessioncontrols); conditions the bot does not evaluate (platform, client app, risk,
 * device filter, locations other than "all but trusted") are named as "may apply", never dropped.
 * Report-only policies do not enforce and are left out. Policies on named apps count too: users
 * "start by attempting to sign in to an application such as Microsoft Teams" (how-to-account-recovery-for-users).
 */
export function recoveryFlowFindings(
  policies: Graph.ConditionalAccessPolicy[],
  subject: ConditionalAccessSubject,
): PolicyFinding[] {
  return policies
    .filter((policy) => policy.state === 'enabled')
    .flatMap((policy) => {
      const apps = (policy.conditions?.applications?.includeApplications ?? []).filter(
        (app) => app.toLowerCase() !== 'none',
      );
      if (apps.length === 0) return [];
      const allApps = apps.some((app) => app.toLowerCase() === 'all');
      const scope = userScope(policy.conditions?.users, subject);
      if (scope.inScope === 'no') return [];
      const requires = controlsOf(policy);
      if (requires.length === 0) return [];
      const where = locationScope(policy.conditions?.locations, subject.namedLocations);
      const conditions = [...narrowingConditions(policy.conditions), ...(where.kind === 'some' ? ['location'] : [])];
      const parts = [
        `it ${requires.join(requires.includes('blocks access') ? ' or ' : ' and ')} for ${allApps ? 'all cloud apps' : `the apps ${apps.join(', ')} (if the user starts recovery from one of them, such as Teams)`}${where.kind === 'outsideTrusted' ? ` everywhere except ${where.trusted}` : ''}`,
      ];
      if (conditions.length > 0)
        parts.push(`only under conditions the bot does not evaluate (${conditions.join(', ')})`);
      if (scope.inScope === 'unknown') parts.push(`it may apply to this user (${scope.unknownBecause.join('; ')})`);
      return [
        {
          policyId: policy.id ?? '',
          policyName: policy.displayName ?? policy.id ?? '(unnamed policy)',
          status: 'warn' as Status,
          reason: `${parts.join(', ')}; the recovery attempt might be interrupted`,
        },
      ];
    });
}

const GRANT_WORDS: Record<string, string> = {
  block: 'blocks access',
  mfa: 'requires multifactor authentication',
  compliantDevice: 'requires a compliant device',
  domainJoinedDevice: 'requires a hybrid-joined device',
  approvedApplication: 'requires an approved client app',
  compliantApplication: 'requires an app protection policy',
  passwordChange: 'requires a password change',
  riskRemediation: 'requires risk remediation',
};

/** What a policy asks of the sign-in, in words: every grant control, authentication strength, terms of use and session control. */
function controlsOf(policy: Graph.ConditionalAccessPolicy): string[] {
  const grant = policy.grantControls;
  const words = (grant?.builtInControls ?? []).map((control) => GRANT_WORDS[control] ?? `requires "${control}"`);
  const strength = grant?.authenticationStrength;
  if (strength)
    words.push(`requires the authentication strength "${strength.displayName ?? strength.id ?? 'unnamed'}"`);
  if (grant?.termsOfUse?.length) words.push('requires accepting terms of use');
  if (grant?.customAuthenticationFactors?.length) words.push('requires a custom control');
  const session = policy.sessionControls;
  if (session?.signInFrequency?.isEnabled) words.push('sets a sign-in frequency');
  return words;
}

function evaluatePolicy(policy: Graph.ConditionalAccessPolicy, subject: ConditionalAccessSubject): PolicyFinding {
  const finding = (status: Status, reason: string): PolicyFinding => ({
    policyId: policy.id ?? '',
    policyName: policy.displayName ?? policy.id ?? '(unnamed policy)',
    status,
    reason,
  });

  const grant = grantOutcome(policy.grantControls, subject.tapIsUsableOnce);
  if (grant.status === 'pass') return finding('pass', `a TAP satisfies it (${grant.reason})`);

  const scope = userScope(policy.conditions?.users, subject);
  if (scope.inScope === 'no') return finding('pass', 'the user is outside its scope');

  let status = grant.status;
  const reasons = [grant.reason];
  if (scope.inScope === 'unknown') {
    status = status === 'warn' ? 'warn' : 'unknown';
    reasons.push(`it may apply to this user (${scope.unknownBecause.join('; ')})`);
  }
  const narrowing = narrowingConditions(policy.conditions);
  const where = locationScope(policy.conditions?.locations, subject.namedLocations);
  if (where.kind === 'outsideTrusted') {
    // Microsoft's registration template: any location except trusted ones. Recovery happens off-network.
    reasons.push(
      `it applies everywhere except ${where.trusted}, so a user recovering from home or on a new phone meets it; only inside one of those locations does it not apply`,
    );
  } else if (where.kind === 'unknown') {
    if (status === 'fail') status = 'unknown';
    reasons.push(where.reason);
  } else if (where.kind === 'some') {
    narrowing.unshift('location');
  }
  if (narrowing.length > 0 && status !== 'warn') {
    status = 'warn';
    reasons.push(`it may apply, depending on ${narrowing.join(', ')}`);
  }
  if (policy.state === 'enabledForReportingButNotEnforced' && status !== 'warn') {
    status = 'warn';
    reasons.push('report-only, so not enforced today');
  }
  return finding(status, reasons.join('; '));
}

// Three-valued membership: a group or role check on an unreadable fact is neither yes nor no.
type Tri = 'yes' | 'no' | 'unknown';

const anyOf = (...values: Tri[]): Tri =>
  values.includes('yes') ? 'yes' : values.includes('unknown') ? 'unknown' : 'no';

function userScope(
  users: Graph.NullableOption<Graph.ConditionalAccessUsers> | undefined,
  subject: ConditionalAccessSubject,
): { inScope: Tri; unknownBecause: string[] } {
  const unknownBecause: string[] = [];
  const { user } = subject;
  // "Guest or external users" covers B2B collaboration members too, not only userType Guest.
  const externalType = externalUserType(user);
  const isGuest = externalType !== undefined;
  const groups: Fact<string[]> = subject.membership.known
    ? {
        known: true,
        value: [...subject.membership.value.directGroupIds, ...subject.membership.value.transitiveGroupIds],
      }
    : subject.membership;

  const heldAny = (wanted: string[] | undefined, held: Fact<string[]>, what: string): Tri => {
    if (!wanted?.length) return 'no';
    if (!held.known) {
      unknownBecause.push(`${what} unknown: ${held.reason}`);
      return 'unknown';
    }
    return wanted.some((id) => held.value.includes(id)) ? 'yes' : 'no';
  };
  const listed = (ids: string[] | undefined, value: string): Tri => (ids?.includes(value) ? 'yes' : 'no');
  const guestType = (
    condition: Graph.NullableOption<Graph.ConditionalAccessGuestsOrExternalUsers> | undefined,
  ): Tri => {
    const types = (condition?.guestOrExternalUserTypes ?? '')
      .split(',')
      .map((type) => type.trim())
      .filter((type) => type && type !== 'none');
    if (!externalType || types.length === 0) return 'no';
    if (externalType === 'unknown') {
      unknownBecause.push('which guest type the user is, is not known');
      return 'unknown';
    }
    if (!types.includes(externalType)) return 'no';
    const tenants = condition?.externalTenants as { membershipKind?: string } | null | undefined;
    if (externalType === 'internalGuest' || !tenants || tenants.membershipKind === 'all') return 'yes';
    // Named home tenants: the user's home tenant id is not in the snapshot.
    unknownBecause.push('whether the policy names the user’s home organisation is not known');
    return 'unknown';
  };
  const included = anyOf(
    listed(users?.includeUsers, 'All'),
    user.id ? listed(users?.includeUsers, user.id) : 'no',
    isGuest ? listed(users?.includeUsers, 'GuestsOrExternalUsers') : 'no',
    guestType(users?.includeGuestsOrExternalUsers),
    heldAny(users?.includeGroups, groups, 'group membership'),
    heldAny(users?.includeRoles, subject.roleTemplateIds, 'directory roles'),
  );
  const excluded = anyOf(
    user.id ? listed(users?.excludeUsers, user.id) : 'no',
    isGuest ? listed(users?.excludeUsers, 'GuestsOrExternalUsers') : 'no',
    guestType(users?.excludeGuestsOrExternalUsers),
    heldAny(users?.excludeGroups, groups, 'group membership'),
    heldAny(users?.excludeRoles, subject.roleTemplateIds, 'directory roles'),
  );

  // Exclusions win.
  const inScope: Tri =
    excluded === 'yes' || included === 'no' ? 'no' : included === 'yes' && excluded === 'no' ? 'yes' : 'unknown';
  return { inScope, unknownBecause: [...new Set(unknownBecause)] };
}

/**
 * Where the policy applies. "Any location, exclude all trusted locations" (Microsoft's template for
 * registering security info) covers everywhere a locked-out user is likely to be.
 * https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-policy-registration,
 * https://learn.microsoft.com/graph/api/resources/conditionalaccesslocations,
 * https://learn.microsoft.com/graph/api/resources/ipnamedlocation (isTrusted)
 */
type LocationScope =
  | { kind: 'everywhere' }
  | { kind: 'outsideTrusted'; trusted: string }
  | { kind: 'some' }
  | { kind: 'unknown'; reason: string };

function locationScope(
  locations: Graph.NullableOption<Graph.ConditionalAccessLocations> | undefined,
  namedLocations: Fact<Graph.NamedLocation[]> | undefined,
): LocationScope {
  const include = locations?.includeLocations ?? [];
  const exclude = locations?.excludeLocations ?? [];
  const includesAll = include.length === 0 || include.some((id) => id.toLowerCase() === 'all');
  if (!includesAll) return { kind: 'some' };
  if (exclude.length === 0) return { kind: 'everywhere' };
  const byId = new Map(
    (namedLocations?.known ? namedLocations.value : []).map((location) => [location.id ?? '', location]),
  );
  const isTrusted = (location: Graph.NamedLocation | undefined) =>
    (location as Graph.IpNamedLocation | undefined)?.isTrusted === true;
  const named = exclude.filter((id) => id.toLowerCase() !== 'alltrusted');
  if (named.length > 0 && !namedLocations?.known) {
    return {
      kind: 'unknown',
      reason: `whether its excluded locations are trusted is unknown (${namedLocations?.reason ?? 'named locations not read'})`,
    };
  }
  if (named.some((id) => !isTrusted(byId.get(id)))) return { kind: 'some' };
  const trustedNames = namedLocations?.known
    ? namedLocations.value.filter(isTrusted).map((location) => `"${location.displayName ?? location.id}"`)
    : [];
  const trusted = exclude.some((id) => id.toLowerCase() === 'alltrusted')
    ? `trusted locations (${trustedNames.length > 0 ? trustedNames.join(', ') : namedLocations?.known ? 'none is marked trusted' : `not readable: ${namedLocations?.reason ?? 'not read'}`})`
    : `the trusted locations ${named.map((id) => `"${byId.get(id)?.displayName ?? id}"`).join(', ')}`;
  return { kind: 'outsideTrusted', trusted };
}

/** Conditions besides location that make the policy apply only sometimes (from what device, at what risk). */
function narrowingConditions(conditions: Graph.ConditionalAccessConditionSet | undefined): string[] {
  const narrowing: string[] = [];
  const isAll = (values: string[] | undefined, all: string): boolean =>
    !values?.length || (values.length === 1 && values[0]?.toLowerCase() === all.toLowerCase());
  const platforms = conditions?.platforms;
  if (platforms && (!isAll(platforms.includePlatforms, 'all') || platforms.excludePlatforms?.length)) {
    narrowing.push('device platform');
  }
  if (!isAll(conditions?.clientAppTypes, 'all')) narrowing.push('client app type');
  if (conditions?.signInRiskLevels?.length || conditions?.userRiskLevels?.length) narrowing.push('risk level');
  if (conditions?.devices?.deviceFilter) narrowing.push('a device filter');
  return narrowing;
}

interface Outcome {
  status: Status;
  reason: string;
}

const TAP_ONE_TIME: Graph.AuthenticationMethodModes = 'temporaryAccessPassOneTime';
const TAP_MULTI_USE: Graph.AuthenticationMethodModes = 'temporaryAccessPassMultiUse';

function strengthOutcome(strength: Graph.AuthenticationStrengthPolicy, tapIsUsableOnce: boolean | undefined): Outcome {
  const name = `authentication strength "${strength.displayName ?? strength.id ?? 'unnamed'}"`;
  const combinations = strength.allowedCombinations;
  if (!combinations?.length) return { status: 'unknown', reason: `${name} was read without its allowed combinations` };
  // The pass judged is the one the bot would issue (tapIssueSettings): one-time and multi-use are separate combinations.
  const oneTime = combinations.includes(TAP_ONE_TIME);
  const multiUse = combinations.includes(TAP_MULTI_USE);
  if (oneTime && multiUse) return { status: 'pass', reason: `${name} accepts a TAP` };
  if (!oneTime && !multiUse) return { status: 'fail', reason: `${name} requires methods a TAP cannot satisfy` };
  if (tapIsUsableOnce === undefined) {
    return {
      status: 'unknown',
      reason: `${name} accepts only a ${oneTime ? 'one-time' : 'multi-use'} TAP and the TAP policy could not be read`,
    };
  }
  if (tapIsUsableOnce === oneTime)
    return {
      status: 'pass',
      reason: `${name} accepts a ${oneTime ? 'one-time' : 'multi-use'} TAP, the kind the bot issues`,
    };
  return {
    status: 'fail',
    reason: `${name} accepts only a ${oneTime ? 'one-time' : 'multi-use'} TAP, and the pass would be ${oneTime ? 'multi-use' : 'one-time'}`,
  };
}

const CONTROL_OUTCOMES: Partial<Record<Graph.ConditionalAccessGrantControl, Outcome>> = {
  mfa: { status: 'pass', reason: 'multifactor authentication, which a TAP sign-in satisfies' },
  compliantDevice: { status: 'warn', reason: 'requires a compliant device' },
  domainJoinedDevice: { status: 'warn', reason: 'requires a hybrid-joined device' },
  approvedApplication: { status: 'warn', reason: 'requires an approved client app' },
  compliantApplication: { status: 'warn', reason: 'requires an app protection policy' },
  passwordChange: { status: 'warn', reason: 'requires a password change' },
};

function grantOutcome(
  grant: Graph.NullableOption<Graph.ConditionalAccessGrantControls> | undefined,
  tapIsUsableOnce: boolean | undefined,
): Outcome {
  const controls = grant?.builtInControls ?? [];
  if (controls.includes('block')) return { status: 'fail', reason: 'it blocks the action' };

  const outcomes: Outcome[] = controls.map(
    (control) => CONTROL_OUTCOMES[control] ?? { status: 'unknown', reason: `unrecognised grant control "${control}"` },
  );
  if (grant?.authenticationStrength) outcomes.push(strengthOutcome(grant.authenticationStrength, tapIsUsableOnce));
  if (grant?.termsOfUse?.length) outcomes.push({ status: 'pass', reason: 'terms of use the user can accept' });
  if (grant?.customAuthenticationFactors?.length) {
    outcomes.push({ status: 'unknown', reason: 'a custom control the bot cannot evaluate' });
  }
  if (outcomes.length === 0) return { status: 'pass', reason: 'no grant control' };

  // OR: the user needs one control they can meet; AND: every control.
  const combine = grant?.operator?.toUpperCase() === 'OR' ? bestStatus : worstStatus;
  const status = combine(outcomes.map((outcome) => outcome.status));
  const reason = outcomes
    .filter((outcome) => outcome.status === status)
    .map((outcome) => outcome.reason)
    .join(grant?.operator?.toUpperCase() === 'OR' ? ' or ' : ' and ');
  return { status, reason };
}
