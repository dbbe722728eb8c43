import { registrationPolicyFindings } from './conditional-access.js';
import { externalEvidence } from './external-users.js';
import type { EligibilityFacts } from './facts.js';
import { conditionalAccessLetsRecoveryThrough, passkeysEnabled } from './flow-rules.js';
import { premiumPlanName } from './licences.js';
import { hasNoNameTwin, inRecoveryGroup, namesMatchTheId, recoveryIsInProduction } from './profile-rules.js';
import {
  formatUtc,
  groupName,
  hiddenFrom,
  hiddenReason,
  plural,
  type RequirementResult,
  requirement,
} from './result.js';
import { type Status, worstStatus } from './status.js';
import { ALL_USERS, describeTapSettings, tapIssueSettings, tapScopeFor } from './tap-scope.js';

/*
 * Why is this user (not) eligible for Self-Service Account Recovery? One small function per
 * requirement E1–E12 (SSAR.md sections 3 and 8), in order, each with the wording the agent reads.
 * Pure: the snapshot in, the checklist out; dates are compared with `facts.readAt`.
 */

export type { RequirementId, ResultReason } from './requirements.js';
export type { RequirementResult } from './result.js';
export type { Status } from './status.js';

export interface Eligibility {
  /** The worst result: fail > unknown > warn > pass. */
  verdict: Status;
  results: RequirementResult[];
  /** One sentence for the agent. */
  summary: string;
  /** True only when the verdict is pass or warn. */
  canSelfRecover: boolean;
  /** Set when the user still has a method (E10): SSPR or normal sign-in is quicker. */
  betterPath?: 'sspr';
}

export function checkEligibility(facts: EligibilityFacts): Eligibility {
  const results = [
    accountIsEnabledMember(facts),
    inRecoveryGroup(facts),
    hasSignedInBefore(facts),
    namesMatchTheId(facts),
    hasNoNameTwin(facts),
    inTapPolicyScope(facts),
    conditionalAccessAllowsRegistration(facts),
    recoveryIsInProduction(facts),
    premiumLicence(facts),
    hasNoUsableMethod(facts),
    passkeysEnabled(facts),
    conditionalAccessLetsRecoveryThrough(facts),
  ];
  const verdict = worstStatus(results.map((result) => result.status));
  const betterPath = results.some((result) => result.id === 'E10' && result.status === 'warn') ? 'sspr' : undefined;
  return {
    verdict,
    results,
    summary: summarise(verdict, results, betterPath),
    canSelfRecover: verdict === 'pass' || verdict === 'warn',
    ...(betterPath && { betterPath }),
  };
}

const COLLEAGUE_CAN_SELF_RECOVER = 'They can recover their account on their own with the guide.';
const COLLEAGUE_NEEDS_HELPDESK = 'They need the helpdesk to recover their account.';

/**
 * What a colleague asking on someone's behalf may see: whether the person can recover alone,
 * and nothing from the directory (no dates, groups, policies or names).
 */
export function colleagueView(eligibility: Eligibility): { canSelfRecover: boolean; message: string } {
  return eligibility.canSelfRecover
    ? { canSelfRecover: true, message: COLLEAGUE_CAN_SELF_RECOVER }
    : { canSelfRecover: false, message: COLLEAGUE_NEEDS_HELPDESK };
}

// E1 ──────────────────────────────────────────────────────────────────────────────────────────
function accountIsEnabledMember({ user }: EligibilityFacts): RequirementResult {
  const check = requirement('E1');
  const who = user.userPrincipalName ?? user.id ?? 'The account';
  if (user.userType === 'Guest') {
    return check.fail(
      `${who} is a guest account in this tenant.`,
      'User: recover the account in their home organisation; this tenant cannot recover a guest.',
    );
  }
  const external = externalEvidence(user);
  if (user.userType === 'Member' && external.length > 0) {
    return check.fail(
      `${who} is a B2B collaboration member from another organisation (${external.join('; ')}): Conditional Access treats them as external, and a Temporary Access Pass from this tenant does not sign them in.`,
      'User: recover the account in their home organisation, which signs them in here too.',
    );
  }
  if (user.accountEnabled === false) {
    return check.fail(
      `${who} is disabled.`,
      'Admin: re-enable the account if it should be active; SSAR cannot recover a disabled account.',
    );
  }
  if (user.accountEnabled == null || user.userType == null) {
    return check.unknown('the directory did not return accountEnabled and userType');
  }
  return check.pass(`${who} exists, is enabled and is a member of this organisation (not a guest or B2B user).`);
}

// E3 ──────────────────────────────────────────────────────────────────────────────────────────
/**
 * "Upon enabling or changing the scope of account recovery, users may need to complete an initial
 * authentication before the recovery option is made available."
 * https://learn.microsoft.com/entra/identity/authentication/how-to-account-recovery-for-users
 */
function hasSignedInBefore({ lastSuccessfulSignIn, addedToRecoveryGroupAt }: EligibilityFacts): RequirementResult {
  const check = requirement('E3');
  if (!lastSuccessfulSignIn.known) return check.unknown(lastSuccessfulSignIn.reason);
  const at = lastSuccessfulSignIn.value;
  // Graph shows "never" as null or as the zero date 0001-01-01.
  if (!at || at.startsWith('0001-01-01')) {
    return check.fail(
      'No successful sign-in is recorded (Entra ID records it since December 2023).',
      'Helpdesk: SSAR is not offered to an account without a prior sign-in; escalate for a human-approved TAP.',
    );
  }
  const added = addedToRecoveryGroupAt.known ? addedToRecoveryGroupAt.value : null;
  if (added && Date.parse(at) < Date.parse(added)) {
    return check.warn(
      `Last successful sign-in ${formatUtc(at)}, before they were added to the recovery group (${formatUtc(added)}): the "Recover your account" option may only appear after a sign-in made since.`,
      'User: if "Recover your account" does not appear, sign in once more wherever they still can (or wait for the helpdesk), then try again.',
      ['sign-in-before-scope-change'],
    );
  }
  return check.pass(`Last successful sign-in ${formatUtc(at)}.`);
}

// E6 ──────────────────────────────────────────────────────────────────────────────────────────
function inTapPolicyScope(facts: EligibilityFacts): RequirementResult {
  const check = requirement('E6');
  if (!facts.tapPolicy.known) return check.unknown(facts.tapPolicy.reason);
  const policy = facts.tapPolicy.value;
  const settings = `TAP policy: ${describeTapSettings(policy)}.`;
  const target = (id: string) => (id === ALL_USERS ? 'all users' : `"${groupName(facts, id)}"`);
  const scope = tapScopeFor(policy, facts.user.id, facts.membership);
  const hidden = hiddenFrom(facts);
  const unseen = (targets: typeof policy.includeTargets) =>
    (targets ?? []).filter((t) => t.id && hidden.has(t.id)).map((t) => `"${groupName(facts, t.id!)}"`);
  if (
    (scope.kind === 'notIncluded' && unseen(policy.includeTargets).length > 0) ||
    (scope.kind === 'included' && unseen(policy.excludeTargets).length > 0)
  ) {
    return check.unknown(
      hiddenReason(unseen(scope.kind === 'included' ? policy.excludeTargets : policy.includeTargets).join(', ')),
    );
  }
  switch (scope.kind) {
    case 'disabled':
      return check.fail(
        'The Temporary Access Pass method is disabled; recovery would verify the user and then issue no pass.',
        'Admin: enable Temporary Access Pass under Authentication methods, for a group that includes this user.',
      );
    case 'excluded':
      return check.fail(
        `Excluded from the TAP policy through ${target(scope.byTargetId)}; recovery would issue no usable pass. ${settings}`,
        `Admin: remove the user from ${target(scope.byTargetId)} or that exclusion in the TAP policy.`,
      );
    case 'notIncluded':
      return check.fail(
        `Outside the TAP policy's scope; recovery would issue no usable pass. ${settings}`,
        'Admin: add the user, or a group they are in, to the Temporary Access Pass policy.',
      );
    case 'unknown':
      return check.unknown(
        scope.reason,
        `Could not tell whether the TAP policy covers the user: ${scope.reason}. ${settings}`,
      );
    case 'included':
      return check.pass(`Temporary Access Pass is enabled for ${target(scope.byTargetId)}. ${settings}`);
  }
}

// E7 ──────────────────────────────────────────────────────────────────────────────────────────
function conditionalAccessAllowsRegistration(facts: EligibilityFacts): RequirementResult {
  const check = requirement('E7');
  const { conditionalAccessPolicies, tapPolicy } = facts;
  if (!conditionalAccessPolicies.known) return check.unknown(conditionalAccessPolicies.reason);
  const subject = {
    user: facts.user,
    membership: facts.membership,
    roleTemplateIds: facts.conditionalAccessRoleIds,
    tapIsUsableOnce: tapPolicy.known ? tapIssueSettings(tapPolicy.value).isUsableOnce : undefined,
    namedLocations: facts.namedLocations,
  };
  const findings = registrationPolicyFindings(conditionalAccessPolicies.value, subject);
  const concerns = findings.filter((finding) => finding.status !== 'pass');
  if (concerns.length === 0) {
    return check.pass(
      findings.length === 0
        ? 'No Conditional Access policy covers registering security information.'
        : `${plural(findings.length, 'Conditional Access policy', 'Conditional Access policies')} cover registering security information; none stops a TAP for this user.`,
    );
  }
  const evidence = concerns.map((finding) => `"${finding.policyName}": ${finding.reason}.`).join(' ');
  const policies = concerns.map((finding) => `"${finding.policyName}"`).join(', ');
  const fix = `Admin: let a TAP register security info under ${policies}: exclude the user, or require an authentication strength that includes Temporary Access Pass.`;
  switch (worstStatus(concerns.map((finding) => finding.status))) {
    case 'fail':
      return check.fail(`The TAP would be issued but useless: ${evidence}`, fix);
    case 'unknown':
      return check.unknown(concerns.map((finding) => finding.reason).join('; '), evidence);
    default:
      return check.warn(
        evidence,
        `Helpdesk: if recovery or registering new methods fails, ask an admin to review ${policies}.`,
      );
  }
}

// E9 ──────────────────────────────────────────────────────────────────────────────────────────
/**
 * "Users need a Microsoft Entra ID P1 license" and a Face Check licence (account recovery FAQ)
 * (https://learn.microsoft.com/entra/identity/authentication/self-service-account-recovery);
 * the user's own licences come from https://learn.microsoft.com/graph/api/user-list-licensedetails.
 * Face Check is billed through Verified ID and not readable through Graph: named, never passed.
 */
const FACE_CHECK_NOTE =
  'Face Check licensing (Entra Suite or the standalone Face Check add-on) cannot be read through Microsoft Graph: confirm it under Verified ID in the Entra admin center.';

function premiumLicence({ subscribedSkus, userLicences }: EligibilityFacts): RequirementResult {
  const check = requirement('E9');
  if (!subscribedSkus.known) return check.unknown(subscribedSkus.reason);
  const premium = subscribedSkus.value.flatMap((sku) =>
    (sku.servicePlans ?? []).flatMap((plan) => (premiumPlanName(plan) ? [{ sku, plan: premiumPlanName(plan)! }] : [])),
  );
  const describe = ({ sku, plan }: (typeof premium)[number]) =>
    `${plan} in ${sku.skuPartNumber ?? sku.skuId ?? 'a SKU'}`;
  const active = premium.find(({ sku }) => sku.capabilityStatus === 'Enabled');
  // "Warning" is the grace period after a lapse: still working, not for long.
  const lapsing = premium.find(({ sku }) => sku.capabilityStatus === 'Warning');
  if (!active && !lapsing) {
    return check.fail(
      'No active subscription includes Entra ID P1 or P2 (AAD_PREMIUM or AAD_PREMIUM_P2); SSAR is unavailable.',
      'Admin: SSAR needs Microsoft Entra ID P1 or higher. Helpdesk: escalate for a human-approved TAP meanwhile.',
    );
  }
  if (!userLicences.known)
    return check.unknown(
      userLicences.reason,
      `Tenant licensed (${describe((active ?? lapsing)!)}); the user's own licence could not be read: ${userLicences.reason}. ${FACE_CHECK_NOTE}`,
    );
  // provisioningStatus (servicePlanInfo): Success; Disabled; Error; PendingInput, PendingActivation,
  // PendingProvisioning. Only Success is a plan that works today; the pending ones and Error warn.
  // https://learn.microsoft.com/graph/api/resources/serviceplaninfo
  const plans = userLicences.value.flatMap((licence) =>
    (licence.servicePlans ?? [])
      .filter((plan) => premiumPlanName(plan) && plan.provisioningStatus !== 'Disabled')
      .map((plan) => ({
        name: `${premiumPlanName(plan)} in ${licence.skuPartNumber ?? licence.skuId}`,
        status: plan.provisioningStatus,
      })),
  );
  const own = plans.filter((plan) => plan.status === 'Success' || plan.status == null).map((plan) => plan.name);
  const pending = plans.filter((plan) => plan.status != null && plan.status !== 'Success');
  if (own.length === 0 && pending.length > 0) {
    return check.warn(
      `The user's ${pending.map((plan) => `${plan.name} is ${plan.status}`).join('; ')}: not provisioned yet, so recovery may not be offered. ${FACE_CHECK_NOTE}`,
      'Admin (License Administrator): check the licence assignment under Billing > Licenses; pending plans usually finish within minutes, Error needs a reassignment.',
    );
  }
  if (own.length === 0) {
    return check.fail(
      `The tenant has ${describe((active ?? lapsing)!)}, but the user has no Entra ID P1 or P2 licence assigned (directly or through a group). ${FACE_CHECK_NOTE}`,
      'Admin: assign the user a licence that includes Entra ID P1. Helpdesk: escalate for a human-approved TAP meanwhile.',
    );
  }
  if (!active) {
    return check.warn(
      `Licensed only through ${describe(lapsing!)}, which is in its grace period; the user holds ${own[0]}. ${FACE_CHECK_NOTE}`,
      'Admin: renew the subscription; SSAR stops working when it lapses.',
    );
  }
  return check.pass(`Tenant licensed (${describe(active)}); the user holds ${own[0]}. ${FACE_CHECK_NOTE}`);
}

// E10 ─────────────────────────────────────────────────────────────────────────────────────────
const METHOD_NAMES: Record<string, string> = {
  microsoftAuthenticator: 'Microsoft Authenticator',
  fido2: 'a passkey (FIDO2)',
  windowsHelloForBusiness: 'Windows Hello for Business',
  phone: 'a phone number',
  softwareOath: 'an authenticator app code (OATH)',
  hardwareOath: 'a hardware OATH token',
  email: 'an email address (password reset only)',
  platformCredential: 'Platform Credential for macOS',
  x509Certificate: 'a certificate',
  qrCodePin: 'a QR code with PIN',
  temporaryAccessPass: 'a usable Temporary Access Pass',
};

function hasNoUsableMethod({ authenticationMethods }: EligibilityFacts): RequirementResult {
  const check = requirement('E10');
  if (!authenticationMethods.known) return check.unknown(authenticationMethods.reason);
  const usable = new Set<string>();
  for (const method of authenticationMethods.value) {
    const odataType = (method as { '@odata.type'?: string })['@odata.type'] ?? '';
    const kind = odataType.replace(/^#?microsoft\.graph\./, '').replace(/AuthenticationMethod$/, '');
    // A password alone cannot pass MFA; a spent or expired pass is no method at all.
    if (kind === 'password') continue;
    if (kind === 'temporaryAccessPass' && (method as { isUsable?: boolean | null }).isUsable !== true) continue;
    usable.add(METHOD_NAMES[kind] ?? (kind || 'a method of unknown type'));
  }
  if (usable.size > 0) {
    return check.warn(
      `They still have ${[...usable].join(', ')} registered: if they can still use it, SSPR or normal sign-in is quicker.`,
      'User: sign in with it, or reset at https://aka.ms/sspr. If they no longer have it, continue with account recovery.',
    );
  }
  return check.pass('No method other than a password (or a spent Temporary Access Pass) is registered.');
}

function summarise(verdict: Status, results: RequirementResult[], betterPath: 'sspr' | undefined): string {
  const listed = (status: Status) =>
    results
      .filter((result) => result.status === status)
      .map((result) => `${result.id} (${result.title})`)
      .join(', ');
  const quicker = betterPath ? '; they still have a sign-in method, so SSPR or normal sign-in may be quicker' : '';
  switch (verdict) {
    case 'pass':
      return 'Eligible: every check passes, so the user can recover on their own with the guide.';
    case 'warn':
      return `Likely eligible: the user can try the guide after you review ${listed('warn')}${quicker}.`;
    case 'unknown':
      return `Eligibility is not confirmed: ${listed('unknown')} could not be checked, so do not send the user to the guide yet${quicker}.`;
    case 'fail': {
      const failed = results.filter((result) => result.status === 'fail').length;
      return `Not eligible for self-service recovery: ${listed('fail')} failed; fix ${failed === 1 ? 'it' : 'them'} or escalate${quicker}.`;
    }
  }
}
