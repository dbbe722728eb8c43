import { recoveryFlowFindings } from './conditional-access.js';
import type { EligibilityFacts } from './facts.js';
import { groupName, hiddenFrom, hiddenReason, type RequirementResult, requirement } from './result.js';
import { ALL_USERS, tapIssueSettings, tapScopeFor } from './tap-scope.js';

/*
 * Requirements the 2026 pages added around the recovery flow itself: E11, passkeys enabled so the
 * recovered user can register one; E12, Conditional Access on the recovery sign-in.
 */

// E11 ─────────────────────────────────────────────────────────────────────────────────────────
/**
 * "Set up passkeys after recovery … If passkeys aren't enabled in your Authentication Method Policy,
 * enable passkeys so users can recover." (how-to-account-recovery-enable); after recovery the user
 * lands on Security info to register a passkey (how-to-account-recovery-for-users, step 18).
 * The Fido2 configuration's state, include and exclude targets and isSelfServiceRegistrationAllowed
 * ("Determines if users can register new passkeys"):
 * https://learn.microsoft.com/graph/api/resources/fido2authenticationmethodconfiguration
 * Passkey profiles' own restrictions (AAGUIDs, attestation) decide which passkey, not whether one:
 * they are named, not judged.
 */
export function passkeysEnabled(facts: EligibilityFacts): RequirementResult {
  const check = requirement('E11');
  const { passkeyPolicy } = facts;
  if (!passkeyPolicy.known) return check.unknown(passkeyPolicy.reason);
  const policy = passkeyPolicy.value;
  const target = (id: string) => (id === ALL_USERS ? 'all users' : `"${groupName(facts, id)}"`);
  const fix =
    'Admin (Authentication Policy Administrator): enable Passkey (FIDO2) for a group that includes the user under Entra ID > Authentication methods > Policies, with self-service set up allowed.';
  const scope = tapScopeFor(policy, facts.user.id, facts.membership);
  const hidden = hiddenFrom(facts);
  const unseen = [...(policy.includeTargets ?? []), ...(policy.excludeTargets ?? [])]
    .filter((t) => t.id && hidden.has(t.id))
    .map((t) => `"${groupName(facts, t.id!)}"`);
  if (scope.kind !== 'disabled' && unseen.length > 0) return check.unknown(hiddenReason(unseen.join(', ')));
  const stranded = 'after recovery they could not register a passkey, which Microsoft asks for "so users can recover".';
  switch (scope.kind) {
    case 'disabled':
      return check.fail(`Passkeys (FIDO2) are disabled in the authentication methods policy: ${stranded}`, fix);
    case 'excluded':
      return check.fail(`Excluded from passkeys (FIDO2) through ${target(scope.byTargetId)}: ${stranded}`, fix);
    case 'notIncluded':
      return check.fail(`Outside the passkey (FIDO2) policy's targets: ${stranded}`, fix);
    case 'unknown':
      return check.unknown(scope.reason);
    case 'included':
      if (policy.isSelfServiceRegistrationAllowed === false) {
        return check.fail(
          `Passkeys (FIDO2) are enabled for ${target(scope.byTargetId)}, but self-service set up is off (isSelfServiceRegistrationAllowed false): ${stranded}`,
          fix,
        );
      }
      return check.pass(
        `Passkeys (FIDO2) are enabled for ${target(scope.byTargetId)} with self-service set up, so the user can register one at Security info after recovery.`,
      );
  }
}

// E12 ─────────────────────────────────────────────────────────────────────────────────────────
/** Enabled policies on cloud apps in scope for the user, multifactor-only ones included (conditional-access.ts). */
export function conditionalAccessLetsRecoveryThrough(facts: EligibilityFacts): RequirementResult {
  const check = requirement('E12');
  const { conditionalAccessPolicies, tapPolicy } = facts;
  if (!conditionalAccessPolicies.known) return check.unknown(conditionalAccessPolicies.reason);
  const findings = recoveryFlowFindings(conditionalAccessPolicies.value, {
    user: facts.user,
    membership: facts.membership,
    roleTemplateIds: facts.conditionalAccessRoleIds,
    tapIsUsableOnce: tapPolicy.known ? tapIssueSettings(tapPolicy.value).isUsableOnce : undefined,
    namedLocations: facts.namedLocations,
  });
  if (findings.length === 0) {
    return check.pass(
      'No enabled Conditional Access policy on cloud apps with a grant or session control applies to the user; report-only policies do not enforce.',
    );
  }
  const policies = findings.map((finding) => `"${finding.policyName}"`).join(', ');
  return check.warn(
    `${findings.map((finding) => `"${finding.policyName}": ${finding.reason}.`).join(' ')} Microsoft: "If a policy blocks access or requires controls, such as a compliant device, trusted location, or multifactor authentication, the user's recovery attempt might be interrupted or blocked."`,
    `Admin (Conditional Access Administrator): test recovery with this user under ${policies}; if it is interrupted, exclude recovering users from it or adjust its conditions. Helpdesk: if recovery stops after verification, escalate.`,
  );
}
