import { GraphRequestError } from './graph.js';

/**
 * The least-privileged Graph application permission behind each directory read or write the bot
 * makes. The README's permission table and the "unknown" reasons on cards both come from here.
 */
export const PERMISSIONS = {
  users: 'User.Read.All',
  signInActivity: 'AuditLog.Read.All',
  groupMembership: 'GroupMember.Read.All',
  authenticationMethods: 'UserAuthenticationMethod.Read.All',
  methodPolicies: 'Policy.Read.AuthenticationMethod',
  conditionalAccess: 'Policy.Read.All',
  verifiedIdProfiles: 'VerifiedId-Profile.Read.All',
  roleAssignments: 'RoleManagement.Read.Directory',
  // RoleEligibilitySchedule.Read.Directory alone would do; RoleManagement.Read.Directory, needed anyway, covers it.
  roleEligibility: 'RoleManagement.Read.Directory',
  auditLogs: 'AuditLog.Read.All',
  subscriptions: 'Organization.Read.All',
  createTemporaryAccessPass: 'UserAuthMethod-TAP.ReadWrite.All',
} as const;

/** Why a fact could not be read, in words for the person reading the card. */
export function unknownReason(error: unknown, permission: string): string {
  if (error instanceof GraphRequestError) {
    // A tenant without Entra ID P1/P2 (or a B2C tenant) gets this 403 from the premium reports
    // (signInActivity, sign-in logs): a licence problem, not a permission to consent.
    if (error.code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant')
      return 'needs an Entra ID P1 or P2 licence in the tenant (Graph answered Authentication_RequestFromNonPremiumTenantOrB2CTenant)';
    if (error.isPermissionDenied) return `needs ${permission}`;
    if (error.isThrottled) return `Graph is throttling, retry in ${error.retryAfterSeconds ?? 60} s`;
    if (error.status === 0) return 'Microsoft Graph could not be reached';
    if (error.status >= 500) return `Microsoft Graph had an error (${error.status}); try again`;
    return `Microsoft Graph answered ${error.status} ${error.code}`;
  }
  return 'the directory could not be read';
}
