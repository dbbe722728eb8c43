/** Caller verification's settings as the core reads them; src/config/verification.ts reads them from the environment. */

export const VERIFICATION_POLICIES = ['off', 'optional', 'required-for-privileged', 'required'] as const;

export type VerificationPolicy = (typeof VERIFICATION_POLICIES)[number];

export const CREDENTIAL_TYPES = ['VerifiedEmployee', 'VerifiedIdentity'] as const;

export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/**
 * Caller verification with Microsoft Entra Verified ID and Face Check (issue 19). Off unless
 * CALLER_VERIFICATION says otherwise; when on, the verifier DID and the pinned issuers are required.
 */
export interface VerificationConfig {
  policy: VerificationPolicy;
  /** The tenant's verifier DID: `authority` of every presentation request. */
  authority?: string;
  /** Never empty when verification is on: an empty list would accept any issuer. */
  acceptedIssuers: string[];
  credentialTypes: CredentialType[];
  /**
   * Issuers of the identity credential (VerifiedIdentity) chosen here instead of the tenant's
   * recovery profile; empty means the profile decides, and without one VERIFIED_ID_ACCEPTED_ISSUERS.
   */
  identityIssuers: string[];
  /** Face Check's matchConfidenceThreshold, 50-100 as the Request Service accepts. */
  faceCheckThreshold: number;
  /** `verified-person`: after approval the pass goes to the browser that passed verification; `agent-chat`: always to the agent. */
  passDelivery: 'verified-person' | 'agent-chat';
  /** Where the Request Service calls back and the caller opens the page; absent only when the Request Service is a loopback emulator (then the bot's own URL). */
  publicBaseUrl?: string;
  requestServiceUrl: string;
  /** How long the link given to the caller works. */
  linkMinutes: number;
}
