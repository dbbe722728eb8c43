/**
 * The account recovery (SSAR) setup as Microsoft Graph v1.0 exposes it. @microsoft/microsoft-graph-types
 * 2.43 predates the Verified ID profile API, so these follow the v1.0 reference (verifiedIdProfile,
 * verifiableCredentialsAuthenticationMethodConfiguration), limited to what the bot reads.
 */
import type { RecoveryProfile, RecoveryScope } from '../eligibility/facts.js';

export interface VerifiedIdProfile {
  id: string;
  name: string;
  state: 'enabled' | 'disabled' | 'unknownFutureValue';
  priority?: number | null;
  verifiedIdProfileConfiguration?: {
    claimBindings?: { sourceAttribute: string; verifiedIdClaim: string }[];
  };
  faceCheckConfiguration?: { isEnabled: boolean; sourcePhotoClaimName?: string };
  verifiedIdUsageConfigurations?: { purpose: string; isEnabledForTestOnly: boolean }[];
}

export interface VerifiableCredentialsMethodConfiguration {
  id: 'VerifiableCredentials';
  state: 'enabled' | 'disabled';
  includeTargets?: { targetType: string; id: string; verifiedIdProfiles?: string[] }[];
  excludeTargets?: { targetType: string; id: string }[];
}

/** The includeTargets id that stands for every user: one constant for the TAP and recovery policies alike. */
export { ALL_USERS as ALL_USERS_TARGET } from '../eligibility/tap-scope.js';

// https://learn.microsoft.com/graph/api/resources/verifiedidusageconfiguration: `all` covers recovery too.
const RECOVERY_PURPOSES = new Set(['recovery', 'all']);

/**
 * Which groups and users recovery is assigned to, and each include target's recovery profiles with
 * their own mode (`isEnabledForTestOnly` is set per profile), from the tenant's own setup.
 * https://learn.microsoft.com/graph/api/resources/verifiedidprofile,
 * https://learn.microsoft.com/graph/api/resources/verifiablecredentialsauthenticationmethodconfiguration
 * Undefined when the tenant has no recovery profile, so the caller falls back to configuration.
 */
export function recoveryScopeFromTenant(
  profiles: VerifiedIdProfile[],
  policy: VerifiableCredentialsMethodConfiguration,
): Omit<RecoveryScope, 'groupNames'> | undefined {
  const recoveryProfiles = new Map<string, RecoveryProfile>();
  for (const profile of profiles) {
    if (profile.state !== 'enabled') continue;
    const usage = profile.verifiedIdUsageConfigurations?.filter((u) => RECOVERY_PURPOSES.has(u.purpose)) ?? [];
    if (usage.length === 0) continue;
    recoveryProfiles.set(profile.id, {
      name: profile.name,
      mode: usage.some((u) => !u.isEnabledForTestOnly) ? 'production' : 'evaluation',
      ...(profile.priority != null && { priority: profile.priority }),
    });
  }
  if (recoveryProfiles.size === 0) return undefined;
  const targetProfiles: Record<string, RecoveryProfile[]> = {};
  for (const target of policy.state === 'enabled' ? (policy.includeTargets ?? []) : []) {
    // A target without profile links is taken to use every recovery profile.
    const linked = target.verifiedIdProfiles?.length
      ? target.verifiedIdProfiles.flatMap((id) => recoveryProfiles.get(id) ?? [])
      : [...recoveryProfiles.values()];
    if (linked.length > 0) targetProfiles[target.id] = linked;
  }
  const targets = (policy.includeTargets ?? []).filter((t) => targetProfiles[t.id]);
  return {
    includeGroupIds: targets.filter((t) => t.targetType !== 'user').map((t) => t.id),
    includeUserIds: targets.filter((t) => t.targetType === 'user').map((t) => t.id),
    targetProfiles,
    excludeGroupIds: (policy.excludeTargets ?? []).filter((t) => t.targetType !== 'user').map((t) => t.id),
    excludeUserIds: (policy.excludeTargets ?? []).filter((t) => t.targetType === 'user').map((t) => t.id),
    mode: Object.values(targetProfiles).some((linked) => linked.some((p) => p.mode === 'production'))
      ? 'production'
      : 'evaluation',
    source: 'graph',
  };
}
