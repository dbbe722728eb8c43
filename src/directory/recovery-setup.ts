/**
 * The account recovery (SSAR) setup as Microsoft Graph v1.0 exposes it. @microsoft/microsoft-graph-types
 * 2.43 predates the Verified ID profile API, so these follow the v1.0 reference (verifiedIdProfile,
 * verifiableCredentialsAuthenticationMethodConfiguration), limited to what the bot reads.
 */
import type { RecoveryScope } from '../eligibility/facts.js';

export interface VerifiedIdProfile {
  id: string;
  name: string;
  state: 'enabled' | 'disabled' | 'unknownFutureValue';
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

/**
 * Which groups recovery is assigned to, and in which mode, from the tenant's own setup: the Verified
 * ID profiles used for recovery and the Verifiable Credentials method targets linked to them.
 * Undefined when the tenant has no recovery profile, so the caller falls back to configuration.
 */
export function recoveryScopeFromTenant(
  profiles: VerifiedIdProfile[],
  policy: VerifiableCredentialsMethodConfiguration,
): Omit<RecoveryScope, 'groupNames'> | undefined {
  const recoveryProfiles = profiles.filter(
    (p) => p.state === 'enabled' && p.verifiedIdUsageConfigurations?.some((u) => u.purpose === 'recovery'),
  );
  if (recoveryProfiles.length === 0) return undefined;
  const recoveryIds = new Set(recoveryProfiles.map((p) => p.id));
  const productionSomewhere = recoveryProfiles.some((p) =>
    p.verifiedIdUsageConfigurations?.some((u) => u.purpose === 'recovery' && !u.isEnabledForTestOnly),
  );
  const targets = policy.state === 'enabled' ? (policy.includeTargets ?? []) : [];
  return {
    // A target without profile links is taken to apply to every profile.
    includeGroupIds: targets
      .filter((t) => !t.verifiedIdProfiles?.length || t.verifiedIdProfiles.some((id) => recoveryIds.has(id)))
      .map((t) => t.id),
    excludeGroupIds: (policy.excludeTargets ?? []).map((t) => t.id),
    mode: productionSomewhere ? 'production' : 'evaluation',
    source: 'graph',
  };
}
