import { graphTrouble } from './graph-trouble.js';

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
  return graphTrouble(error, permission).reason;
}
