/**
 * The account recovery (SSAR) setup as Microsoft Graph v1.0 exposes it. @microsoft/microsoft-graph-types
 * 2.43 predates the Verified ID profile API, so these follow the v1.0 reference (verifiedIdProfile,
 * verifiableCredentialsAuthenticationMethodConfiguration), limited to what the bot reads.
 */
import type { VerifiedIdProfile } from '../caller-verification/identity.js';
import type { RecoveryProfile, RecoveryScope } from '../eligibility/facts.js';
import { servesRecovery } from '../eligibility/profiles.js';

/** The profile's shape lives with the identity credential that reads it too (src/caller-verification/identity.ts). */
export type { VerifiedIdProfile };

export interface VerifiableCredentialsMethodConfiguration {
  id: 'VerifiableCredentials';
  state: 'enabled' | 'disabled';
  includeTargets?: { targetType: string; id: string; verifiedIdProfiles?: string[] }[];
  excludeTargets?: { targetType: string; id: string }[];
}

/** The includeTargets id that stands for every user: one constant for the TAP and recovery policies alike. */
export { ALL_USERS as ALL_USERS_TARGET } from '../eligibility/tap-scope.js';

/**
 * A profile as the rules read it. The match level is the bindings' `matchConfidenceLevel` (claimBinding,
 * `exact` | `relaxed`); bindings that disagree or do not say leave it undefined (the rules say unknown).
 * https://learn.microsoft.com/graph/api/resources/claimbinding
 */
export function recoveryProfileFrom(profile: VerifiedIdProfile): RecoveryProfile {
  const configuration = profile.verifiedIdProfileConfiguration;
  const levels = new Set((configuration?.claimBindings ?? []).map((b) => b.matchConfidenceLevel ?? undefined));
  const [level] = levels;
  const usage = profile.verifiedIdUsageConfigurations ?? [];
  const recoveryUsage = usage.filter((u) => u.purpose === 'recovery' || u.purpose === 'all');
  const validation = configuration?.claimValidation;
  return {
    id: profile.id,
    name: profile.name,
    state: profile.state,
    purposes: usage.map((u) => u.purpose),
    mode: recoveryUsage.some((u) => !u.isEnabledForTestOnly) ? 'production' : 'evaluation',
    ...(profile.priority != null && { priority: profile.priority }),
    ...(levels.size === 1 && (level === 'exact' || level === 'relaxed') && { matchLevel: level }),
    claimValidation: {
      enabled: validation?.isEnabled === true,
      ...(validation?.customExtensionId && { extensionId: validation.customExtensionId }),
    },
    ...(profile.verifierDid && { verifierDid: profile.verifierDid }),
    ...(configuration?.acceptedIssuer && { acceptedIssuer: configuration.acceptedIssuer }),
    ...(configuration?.type && { credentialType: configuration.type }),
    claimBindings: (configuration?.claimBindings ?? []).map((b) => ({
      sourceAttribute: b.sourceAttribute,
      verifiedIdClaim: b.verifiedIdClaim,
      ...(b.matchConfidenceLevel && { matchConfidenceLevel: b.matchConfidenceLevel }),
    })),
    ...(profile.faceCheckConfiguration && { faceCheckEnabled: profile.faceCheckConfiguration.isEnabled }),
  };
}

/**
 * Which groups and users recovery is assigned to, each include target's profiles (all of them in
 * `linkedProfiles`; those serving recovery in `targetProfiles`), from the tenant's own setup.
 * https://learn.microsoft.com/graph/api/resources/verifiedidprofile,
 * https://learn.microsoft.com/graph/api/resources/verifiablecredentialsauthenticationmethodconfiguration
 * Once the tenant's setup was read it is the answer, even when no profile serves recovery: the bot
 * never falls back to its own configuration then.
 */
export function recoveryScopeFromTenant(
  profiles: VerifiedIdProfile[],
  policy: VerifiableCredentialsMethodConfiguration,
): Omit<RecoveryScope, 'groupNames'> {
  const all = new Map(profiles.map((profile) => [profile.id, recoveryProfileFrom(profile)]));
  const linkedProfiles: Record<string, RecoveryProfile[]> = {};
  const targetProfiles: Record<string, RecoveryProfile[]> = {};
  for (const target of policy.state === 'enabled' ? (policy.includeTargets ?? []) : []) {
    // A target without profile links is taken to use every profile.
    const linked = target.verifiedIdProfiles?.length
      ? target.verifiedIdProfiles.flatMap((id) => all.get(id) ?? [])
      : [...all.values()];
    if (linked.length > 0) linkedProfiles[target.id] = linked;
    const serving = linked.filter((profile) => !servesRecovery(profile));
    if (serving.length > 0) targetProfiles[target.id] = serving;
  }
  const targets = (policy.includeTargets ?? []).filter((t) => targetProfiles[t.id]);
  return {
    includeGroupIds: targets.filter((t) => t.targetType !== 'user').map((t) => t.id),
    includeUserIds: targets.filter((t) => t.targetType === 'user').map((t) => t.id),
    targetProfiles,
    linkedProfiles,
    excludeGroupIds: (policy.excludeTargets ?? []).filter((t) => t.targetType !== 'user').map((t) => t.id),
    excludeUserIds: (policy.excludeTargets ?? []).filter((t) => t.targetType === 'user').map((t) => t.id),
    mode: Object.values(targetProfiles).some((linked) => linked.some((p) => p.mode === 'production'))
      ? 'production'
      : 'evaluation',
    source: 'graph',
  };
}
