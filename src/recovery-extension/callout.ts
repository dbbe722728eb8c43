import type { PresentedClaims } from './claims.js';

/*
 * Entra's OnVerifiedIdClaimValidation callout and the answer it expects, copied from Microsoft's
 * tutorial (MicrosoftDocs/entra-docs docs/identity-platform/tutorial-custom-authentication-extension-account-recovery.md,
 * "4.1 Test the function directly"):
 *
 *   { "type": "microsoft.graph.authenticationEvent.verifiedIdClaimValidation",
 *     "source": "/tenants/<tenant-guid>/applications/<app-id>",
 *     "data": { "@odata.type": "microsoft.graph.onVerifiedIdClaimValidationCalloutData",
 *       "tenantId": "<tenant-guid>",
 *       "authenticationContext": { "correlationId": "...", "user": { "userPrincipalName": "user@contoso.com" } },
 *       "verifiedIdClaimsContext": { "additionalInfo": { "employeeId": "E001" },
 *         "claims": { "firstName": "John", "lastName": "Doe", "dateOfBirth": "1990-01-15" } } } }
 *
 * answered with
 *
 *   { "data": { "@odata.type": "microsoft.graph.onVerifiedIdClaimValidationResponseData",
 *     "actions": [ { "@odata.type": "microsoft.graph.verifiedIdClaimValidation.pass" } ] } }
 *
 * or the `...verifiedIdClaimValidation.failed` action with `"failedClaims": ["dateOfBirth"]`.
 * Microsoft's sample (Azure-Samples/active-directory-verifiable-credentials-dotnet,
 * 7-AccountRecovery-ClaimsMatching) shows the fuller context Entra may send, such as `user.id`.
 */
export const CALLOUT_TYPE = 'microsoft.graph.authenticationEvent.verifiedIdClaimValidation';
export const CALLOUT_DATA_TYPE = 'microsoft.graph.onVerifiedIdClaimValidationCalloutData';
export const RESPONSE_DATA_TYPE = 'microsoft.graph.onVerifiedIdClaimValidationResponseData';
export const PASS_ACTION = 'microsoft.graph.verifiedIdClaimValidation.pass';
export const FAILED_ACTION = 'microsoft.graph.verifiedIdClaimValidation.failed';

export interface Callout {
  tenantId: string;
  correlationId: string;
  userPrincipalName: string;
  /** The user's object id, when Entra sends it. */
  userId?: string;
  presented: PresentedClaims;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CORRELATION_ID = /^[\w-]{1,64}$/;
const UPN = /^[^\s@/?#]{1,113}@[A-Za-z0-9.-]{1,253}$/;
const MAX_CLAIMS = 64;
const MAX_CLAIM_CHARS = 4_096;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The callout, or why it is not one (in words that quote no claim value). */
export function parseCallout(body: unknown): { callout: Callout } | { problem: string } {
  if (typeof body === 'symbol') return { problem: 'the body is not JSON' };
  if (!isObject(body)) return { problem: 'the body must be a JSON object' };
  if (body.type !== CALLOUT_TYPE)
    return {
      problem: `type must be ${CALLOUT_TYPE}${typeof body.type === 'string' ? ` (got "${body.type.slice(0, 100)}")` : ''}`,
    };
  const data = body.data;
  if (!isObject(data)) return { problem: 'data must be an object' };
  if (data['@odata.type'] !== undefined && data['@odata.type'] !== CALLOUT_DATA_TYPE)
    return { problem: `data's @odata.type must be ${CALLOUT_DATA_TYPE}` };
  if (typeof data.tenantId !== 'string' || !GUID.test(data.tenantId))
    return { problem: 'data.tenantId must be the tenant id (a GUID)' };
  const context = data.authenticationContext;
  if (!isObject(context)) return { problem: 'data.authenticationContext must be an object' };
  if (typeof context.correlationId !== 'string' || !CORRELATION_ID.test(context.correlationId))
    return { problem: 'data.authenticationContext.correlationId must be an id' };
  const user = context.user;
  if (!isObject(user) || typeof user.userPrincipalName !== 'string' || !UPN.test(user.userPrincipalName))
    return { problem: 'data.authenticationContext.user.userPrincipalName must name the user' };
  if (user.id !== undefined && user.id !== null && (typeof user.id !== 'string' || !GUID.test(user.id)))
    return { problem: 'data.authenticationContext.user.id must be an object id' };
  const claimsContext = data.verifiedIdClaimsContext;
  if (!isObject(claimsContext)) return { problem: 'data.verifiedIdClaimsContext must be an object' };
  const claims = claimsContext.claims;
  if (!isObject(claims)) return { problem: 'data.verifiedIdClaimsContext.claims must be an object' };
  const entries = Object.entries(claims);
  if (entries.length > MAX_CLAIMS) return { problem: `claims may hold at most ${MAX_CLAIMS} entries` };
  const oversized = entries.find(([, value]) => typeof value === 'string' && value.length > MAX_CLAIM_CHARS);
  if (oversized)
    return { problem: `the claim ${oversized[0].slice(0, 64)} is longer than ${MAX_CLAIM_CHARS} characters` };
  const additional = claimsContext.additionalInfo;
  if (additional !== undefined && additional !== null && !isObject(additional))
    return { problem: 'data.verifiedIdClaimsContext.additionalInfo must be an object' };
  const employeeId = additional?.employeeId;
  if (employeeId !== undefined && employeeId !== null && typeof employeeId !== 'string')
    return { problem: 'additionalInfo.employeeId must be a string' };
  return {
    callout: {
      tenantId: data.tenantId,
      correlationId: context.correlationId,
      userPrincipalName: user.userPrincipalName,
      ...(typeof user.id === 'string' && { userId: user.id }),
      presented: { claims, ...(typeof employeeId === 'string' && employeeId !== '' && { employeeId }) },
    },
  };
}

export type ClaimValidationAnswer = {
  data: {
    '@odata.type': typeof RESPONSE_DATA_TYPE;
    actions: [{ '@odata.type': typeof PASS_ACTION } | { '@odata.type': typeof FAILED_ACTION; failedClaims: string[] }];
  };
};

/** The response body Entra reads: exactly one action. */
export function answerFor(outcome: 'pass' | 'failed', failedClaims: string[]): ClaimValidationAnswer {
  return {
    data: {
      '@odata.type': RESPONSE_DATA_TYPE,
      actions: [outcome === 'pass' ? { '@odata.type': PASS_ACTION } : { '@odata.type': FAILED_ACTION, failedClaims }],
    },
  };
}
