import { recoveryFlowFindings, registrationPolicyFindings } from './conditional-access.js';
import { externalEvidence } from './external-users.js';
import type { EligibilityFacts } from './facts.js';
import { premiumPlanName } from './licences.js';
import { missingNameFields, nameWarnings } from './names.js';
import { REQUIREMENTS, type RequirementId, type ResultReason } from './requirements.js';
import { type Status, worstStatus } from './status.js';
import { ALL_USERS, describeTapSettings, tapIssueSettings, tapScopeFor } from './tap-scope.js';

/*
 * Why is this user (not) eligible for Self-Service Account Recovery? One small function per
 * requirement E1–E10 (SSAR.md section 3), in order, each with the wording the agent reads.
 * Pure: the snapshot in, the checklist out; dates are compared with `facts.readAt`.
 */

export type { RequirementId, ResultReason } from './requirements.js';
export type { Status } from './status.js';

export interface RequirementResult {
  id: RequirementId;
  /** Short, e.g. "Account is enabled and a member". */
  title: string;
  status: Status;
  /** For the agent; may name groups, dates and policies. */
  evidence: string;
  /** What to do and who acts: user, helpdesk or admin. */
  fix?: string;
  unknownReason?: string;
  /** Why it did not simply pass, as codes other modules match on (never the evidence prose). */
  reasons?: ResultReason[];
}

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

// E2 ──────────────────────────────────────────────────────────────────────────────────────────
const RECENTLY_ADDED_MINUTES = 30;

function inRecoveryGroup(facts: EligibilityFacts): RequirementResult {
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
  if (facts.user.id && scope.includeUserIds?.includes(facts.user.id)) {
    return check.pass(`Assigned to account recovery by name, as a user (per ${from}).`);
  }
  if (scope.includeGroupIds.length === 0) {
    return check.fail(
      `Account recovery is assigned to no group (per ${from}).`,
      'Admin: assign a user group under Account recovery (Preview) in the Entra admin center.',
    );
  }
  if (scope.includeGroupIds.includes(ALL_USERS)) {
    return check.pass(`Account recovery is assigned to all users (per ${from}).`);
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
      ? `Direct member of ${label(directIn)} (groups from ${from}).`
      : `Member of ${label(nestedIn)} only through a nested group (groups from ${from}); whether nested membership counts is not confirmed.`,
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
      fixes.push('User: wait about half an hour after being added, then start again at https://aka.ms/mfasetup.');
      reasons.push('recently-added');
    }
  } else if (!addedToRecoveryGroupAt.known) {
    evidence.push(`When they were added is unknown (${addedToRecoveryGroupAt.reason}).`);
  }
  return fixes.length > 0 ? check.warn(evidence.join(' '), fixes.join(' '), reasons) : check.pass(evidence.join(' '));
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

// E4 ──────────────────────────────────────────────────────────────────────────────────────────
function namesMatchTheId({ user }: EligibilityFacts): RequirementResult {
  const check = requirement('E4');
  // Quoted exactly as stored: the agent compares them character by character with the ID.
  const names = `First name "${user.givenName ?? ''}", Last name "${user.surname ?? ''}".`;
  const warnings = nameWarnings(user);
  if (missingNameFields(user).length > 0) {
    return check.fail(
      `${names} ${warnings.join(' ')}`,
      'Admin: set First name and Last name exactly as on the government ID; the user tries again afterwards.',
    );
  }
  if (warnings.length > 0) {
    return check.warn(
      `${names} ${warnings.join(' ')}`,
      "Helpdesk: compare both names with the person's ID; if they differ, an admin corrects them before the user starts.",
    );
  }
  return check.pass(`${names} Nothing looks unusual; confirm both match the person's ID exactly.`);
}

// E5 ──────────────────────────────────────────────────────────────────────────────────────────
/**
 * Microsoft's account recovery FAQ: recovery attempts from users with the same name as another user
 * are blocked, with no group restriction (the field report saw it inside the group). Twins are
 * accent-folded within the recovery groups and exact elsewhere in the tenant.
 * https://learn.microsoft.com/entra/identity/authentication/self-service-account-recovery
 */
function hasNoNameTwin(facts: EligibilityFacts): RequirementResult {
  const { user, nameTwins } = facts;
  const check = requirement('E5');
  if (!nameTwins.known) return check.unknown(nameTwins.reason);
  const twins = nameTwins.value.filter((twin) => twin.id !== user.id);
  const listed = (list: typeof twins) =>
    list.map((twin) => `${twin.displayName} (${twin.userPrincipalName})`).join(', ');
  const inGroup = twins.filter((twin) => twin.inRecoveryGroup !== false);
  const outside = twins.filter((twin) => twin.inRecoveryGroup === false);
  if (inGroup.length > 0) {
    const unsure = inGroup.some((twin) => twin.inRecoveryGroup === undefined)
      ? ' (whether they are in the recovery group could not be told)'
      : '';
    return check.fail(
      `Shares First + Last name with ${listed(inGroup)}${unsure}; duplicates are not allowed in the recovery group.${outside.length > 0 ? ` Also shares it with ${listed(outside)} elsewhere in the tenant.` : ''}`,
      'Admin: rename or move one of them out of the recovery group. Helpdesk: escalate for a human-approved TAP meanwhile.',
    );
  }
  if (outside.length > 0) {
    return check.fail(
      `Shares First + Last name with ${listed(outside)}, who is not in the recovery group; Microsoft blocks recovery for users with the same name as another user, in the group or not.`,
      'Helpdesk: escalate for a human-approved TAP; the names must stay as on the ID, so recovery cannot tell them apart.',
    );
  }
  const hiddenRecoveryGroups = (facts.recoveryScope.known ? facts.recoveryScope.value.includeGroupIds : []).filter(
    (id) => hiddenFrom(facts).has(id),
  );
  if (hiddenRecoveryGroups.length > 0)
    return check.unknown(hiddenReason(hiddenRecoveryGroups.map((id) => `"${groupName(facts, id)}"`).join(', ')));
  return check.pass(
    'No other user in the tenant (nor, accent-folded, in the recovery group) has the same First + Last name.',
  );
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
  // Policies on all cloud apps apply to the recovery sign-in itself (account recovery FAQ).
  const flow = recoveryFlowFindings(conditionalAccessPolicies.value, subject);
  const concerns = [...findings.filter((finding) => finding.status !== 'pass'), ...flow];
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

// E8 ──────────────────────────────────────────────────────────────────────────────────────────
/**
 * Each include target of the Verifiable Credentials method links its own Verified ID profiles, and
 * each profile is in Production or Evaluation mode (`isEnabledForTestOnly`): the mode that counts
 * is that of the user's own targets. https://learn.microsoft.com/graph/api/resources/verifiedidprofile
 */
function recoveryIsInProduction(facts: EligibilityFacts): RequirementResult {
  const check = requirement('E8');
  const { recoveryScope } = facts;
  if (!recoveryScope.known) return check.unknown(recoveryScope.reason);
  const scope = recoveryScope.value;
  const evaluationFix =
    'Admin: switch the recovery profile to Production. Helpdesk: escalate for a human-approved TAP meanwhile.';
  if (scope.source !== 'graph' || !scope.targetProfiles) {
    const from =
      scope.source === 'graph'
        ? "the tenant's recovery profile"
        : "the bot's configuration; the tenant's setting could not be read";
    return scope.mode === 'evaluation'
      ? check.fail(
          `Account recovery is in Evaluation mode (from ${from}): it rehearses verification and recovers nothing.`,
          evaluationFix,
        )
      : check.pass(`Account recovery is in Production mode (from ${from}).`);
  }

  const groups = facts.membership.known
    ? new Set([...facts.membership.value.directGroupIds, ...facts.membership.value.transitiveGroupIds])
    : undefined;
  const ownTargets = Object.keys(scope.targetProfiles).filter(
    (id) => id === ALL_USERS || id === facts.user.id || groups?.has(id),
  );
  if (ownTargets.length === 0) {
    if (!facts.membership.known) return check.unknown(facts.membership.reason);
    return scope.mode === 'evaluation'
      ? check.fail(
          'Every recovery profile is in Evaluation mode: it rehearses verification and recovers nothing.',
          evaluationFix,
        )
      : check.pass('The user is in no recovery target (see E2); at least one recovery profile is in Production mode.');
  }
  const profiles = [
    ...new Map(ownTargets.flatMap((id) => scope.targetProfiles![id]!).map((p) => [p.name, p])).values(),
  ];
  const named = (list: typeof profiles) =>
    list
      .map(
        (p) =>
          `"${p.name}" (${p.mode === 'production' ? 'Production' : 'Evaluation'}${p.priority === undefined ? '' : `, priority ${p.priority}`})`,
      )
      .join(', ');
  const via = ownTargets
    .map((id) =>
      id === ALL_USERS ? 'all users' : id === facts.user.id ? 'the user by name' : `"${groupName(facts, id)}"`,
    )
    .join(', ');
  if (profiles.every((p) => p.mode === 'production'))
    return check.pass(`Recovery for this user (through ${via}) uses ${named(profiles)}.`);
  if (profiles.every((p) => p.mode === 'evaluation')) {
    return check.fail(
      `Recovery for this user (through ${via}) uses only ${named(profiles)}: Evaluation mode rehearses verification and recovers nothing.`,
      evaluationFix,
    );
  }
  // Microsoft documents `priority` only as "processing priority", not which value wins.
  return check.warn(
    `Recovery for this user (through ${via}) links ${named(profiles)}; which profile is used first is not documented, so recovery may only rehearse.`,
    "Admin: link only a Production profile to the user's recovery group. Helpdesk: if the user is verified and gets no pass, escalate.",
  );
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
  const own = userLicences.value.flatMap((licence) =>
    (licence.servicePlans ?? [])
      .filter((plan) => premiumPlanName(plan) && plan.provisioningStatus !== 'Disabled')
      .map((plan) => `${premiumPlanName(plan)} in ${licence.skuPartNumber ?? licence.skuId}`),
  );
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

// ─────────────────────────────────────────────────────────────────────────────────────────────
function requirement(id: RequirementId) {
  const { title } = REQUIREMENTS[id];
  return {
    pass: (evidence: string): RequirementResult => ({ id, title, status: 'pass', evidence }),
    warn: (evidence: string, fix: string, reasons: ResultReason[] = []): RequirementResult => ({
      id,
      title,
      status: 'warn',
      evidence,
      fix,
      ...(reasons.length > 0 && { reasons }),
    }),
    fail: (evidence: string, fix: string): RequirementResult => ({ id, title, status: 'fail', evidence, fix }),
    unknown: (reason: string, evidence = `Could not check: ${reason}.`): RequirementResult => ({
      id,
      title,
      status: 'unknown',
      evidence,
      fix: 'Helpdesk: check this in the Entra admin center, or ask an admin to grant the bot what it is missing.',
      unknownReason: reason,
    }),
  };
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

function minutesBetween(earlier: string, later: Date): number | undefined {
  const then = Date.parse(earlier);
  if (Number.isNaN(then)) return undefined;
  // A clock skew can put the audit event a little after readAt: count that as "just now".
  return Math.max(0, Math.floor((later.getTime() - then) / 60_000));
}

function formatUtc(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

const hiddenFrom = (facts: EligibilityFacts) => new Set(facts.hiddenMembershipGroupIds ?? []);

/** Graph lists no member of a hidden-membership group without Member.Read.Hidden: absence proves nothing. */
const hiddenReason = (groups: string) =>
  `${groups} hides its membership (HiddenMembership), and without Member.Read.Hidden Graph lists none of its members; needs Member.Read.Hidden`;

/** A group's display name from whatever the snapshot knows, else its id. */
function groupName(facts: EligibilityFacts, id: string): string {
  return (
    (facts.membership.known && facts.membership.value.groupNames[id]) ||
    (facts.recoveryScope.known && facts.recoveryScope.value.groupNames[id]) ||
    id
  );
}
