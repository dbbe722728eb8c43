import type * as Graph from '@microsoft/microsoft-graph-types';

/*
 * Who Conditional Access and the Temporary Access Pass treat as external. A B2B collaboration user
 * signs in at their home organisation whether their userType is Guest or Member: Conditional
 * Access calls the latter "B2B collaboration member users"
 * (https://learn.microsoft.com/entra/external-id/authentication-conditional-access), and a pass this
 * tenant issues does not sign them in: "Guest users can sign-in to a resource tenant with a
 * Temporary Access Pass that was issued by their home tenant"
 * (https://learn.microsoft.com/entra/identity/authentication/howto-authentication-temporary-access-pass).
 */

export type ExternalUserType = Extract<
  Graph.ConditionalAccessGuestOrExternalUserTypes,
  'internalGuest' | 'b2bCollaborationGuest' | 'b2bCollaborationMember'
>;

/** Signs of an identity from another organisation: an invitation, its redemption state or the `#EXT#` sign-in name. */
export function externalEvidence(user: Graph.User): string[] {
  const signs: string[] = [];
  if (user.userPrincipalName?.toUpperCase().includes('#EXT#')) signs.push('its sign-in name contains #EXT#');
  if (user.externalUserState) signs.push(`externalUserState is "${user.externalUserState}"`);
  if (user.creationType === 'Invitation') signs.push('it was created by a B2B invitation');
  return signs;
}

/**
 * The Conditional Access guest/external type of the user; undefined for an ordinary member;
 * 'unknown' for a guest read without `externalUserState` (Graph returns null there for a local guest).
 */
export function externalUserType(user: Graph.User): ExternalUserType | 'unknown' | undefined {
  const external = externalEvidence(user).length > 0;
  if (user.userType === 'Guest')
    return external ? 'b2bCollaborationGuest' : user.externalUserState === null ? 'internalGuest' : 'unknown';
  return external ? 'b2bCollaborationMember' : undefined;
}
