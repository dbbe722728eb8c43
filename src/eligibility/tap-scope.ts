import type * as Graph from '@microsoft/microsoft-graph-types';
import type { Fact, GroupMembership } from './facts.js';

/** The Conditional Access user action for registering security info (also used by E7). */
export const REGISTER_SECURITY_INFO = 'urn:user:registersecurityinfo';

/*
 * E6: successful recovery ends in a Temporary Access Pass issued under the tenant's TAP policy.
 * A user outside that policy passes verification and then gets no usable pass.
 */

type TapPolicy = Graph.TemporaryAccessPassAuthenticationMethodConfiguration;

/** The includeTargets id that stands for every user. */
export const ALL_USERS = 'all_users';

export type TapScope =
  | { kind: 'disabled' }
  | { kind: 'excluded'; byTargetId: string }
  | { kind: 'included'; byTargetId: string }
  | { kind: 'notIncluded' }
  | { kind: 'unknown'; reason: string };

/** Whether the TAP method is enabled and this user is in its scope; exclusions win. */
export function tapScopeFor(
  policy: TapPolicy,
  userId: string | undefined,
  membership: Fact<GroupMembership>,
): TapScope {
  if (policy.state !== 'enabled') return { kind: 'disabled' };

  const groupIds = membership.known
    ? new Set([...membership.value.directGroupIds, ...membership.value.transitiveGroupIds])
    : undefined;
  // Tri-state match: undefined when the target is a group and membership is unreadable.
  const matches = (target: { id?: string; targetType?: Graph.AuthenticationMethodTargetType }): boolean | undefined => {
    if (target.id === ALL_USERS) return true;
    if (target.targetType === 'user') return target.id === userId;
    return groupIds ? groupIds.has(target.id ?? '') : undefined;
  };

  const excludeTargets = policy.excludeTargets ?? [];
  const excludedBy = excludeTargets.find((target) => matches(target) === true);
  if (excludedBy) return { kind: 'excluded', byTargetId: excludedBy.id ?? '' };

  const includedBy = (policy.includeTargets ?? []).find((target) => matches(target) === true);
  if (!membership.known && excludeTargets.some((target) => matches(target) === undefined)) {
    return { kind: 'unknown', reason: `whether an excluded group holds the user is unknown: ${membership.reason}` };
  }
  if (includedBy) return { kind: 'included', byTargetId: includedBy.id ?? '' };
  if (!membership.known) return { kind: 'unknown', reason: `group membership unknown: ${membership.reason}` };
  return { kind: 'notIncluded' };
}

/** "lifetime 60 min by default (min 10, max 480), one-time use" for the agent's card. */
export function describeTapSettings(policy: TapPolicy): string {
  const minutes = (value: Graph.NullableOption<number> | undefined): string =>
    value == null ? 'not set' : `${value} min`;
  const use = policy.isUsableOnce ? 'one-time use only' : 'one-time or multi-use';
  return `lifetime ${minutes(policy.defaultLifetimeInMinutes)} by default (min ${minutes(policy.minimumLifetimeInMinutes)}, max ${minutes(policy.maximumLifetimeInMinutes)}), ${use}`;
}

// Graph rejects lifetimes outside 10 minutes to 30 days, and outside the policy's own bounds.
const GRAPH_MIN_LIFETIME = 10;
const GRAPH_MAX_LIFETIME = 43_200;
const GRAPH_DEFAULT_LIFETIME = 60;

/**
 * The lifetime and one-time setting to send when creating a TAP: the requested (or policy default)
 * lifetime clamped to the policy's and Graph's bounds, and always one-time use. A policy with
 * isUsableOnce true makes every pass one-time; one with false lets the creator choose
 * (https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration),
 * and a pass read out over a call should not work twice. E7 judges this same pass: a registration
 * strength must accept `temporaryAccessPassOneTime`
 * (https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy).
 */
export function tapIssueSettings(
  policy: TapPolicy,
  requestedMinutes?: number,
): { lifetimeInMinutes: number; isUsableOnce: true } {
  const lowest = Math.max(GRAPH_MIN_LIFETIME, policy.minimumLifetimeInMinutes ?? GRAPH_MIN_LIFETIME);
  const highest = Math.max(lowest, Math.min(GRAPH_MAX_LIFETIME, policy.maximumLifetimeInMinutes ?? GRAPH_MAX_LIFETIME));
  const wanted =
    requestedMinutes !== undefined && Number.isFinite(requestedMinutes)
      ? requestedMinutes
      : (policy.defaultLifetimeInMinutes ?? GRAPH_DEFAULT_LIFETIME);
  return { lifetimeInMinutes: Math.min(highest, Math.max(lowest, Math.round(wanted))), isUsableOnce: true };
}
