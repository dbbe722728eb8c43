import type { CallerVerificationFacts } from '../escalation/policy.js';
import type { Person } from '../escalation/state-machine.js';
import type { IdentityCredentialSettings } from './identity.js';
import type { CredentialType, VerificationPolicy } from './settings.js';

/**
 * One attempt to verify the caller for one escalation request, as stored. It holds no secret: the
 * short code, the browser cookie, the callback state and api-key are kept only as SHA-256 hashes,
 * and the pass never appears here (it goes from Graph straight into the caller's HTTP response).
 */
export type SessionStatus = 'created' | 'opened' | 'retrieved' | 'verified' | 'failed';

export interface Evidence {
  credentialType: CredentialType;
  issuer: string;
  issuedAt?: string;
  score: number;
  threshold: number;
  verifiedAt: string;
  /** How the credential's subject was matched to the target. */
  matchedBy:
    | 'sign-in name'
    | 'first and last name'
    | 'first and last name, unique in the tenant'
    | 'first and last name and the organisation’s record';
  /** Where an identity credential's type, issuer and claim names came from (recovery profile or configuration). */
  settingsFrom?: string;
  linkedDomain?: string;
}

export interface VerificationSession {
  /** The link id: a secret read out on the call, so never written to a log or the audit trail. */
  id: string;
  /** The session's name in logs and the audit trail: random, and telling nothing of the link. */
  ref: string;
  tenantId: string;
  requestId: string;
  target: Person & { userPrincipalName: string };
  startedBy: Person;
  createdAt: string;
  expiresAt: string;
  status: SessionStatus;
  codeHash: string;
  codeAttempts: number;
  /** Set when the caller entered the code: only this browser may see the QR code, the result and the pass. */
  browserHash?: string;
  /** `expiresAt` is the Request Service's `expiry`: after it the QR code no longer works. */
  presentation?: {
    requestId: string;
    url: string;
    qrCode?: string;
    expiresAt?: string;
    stateHash: string;
    apiKeyHash: string;
    /** How an identity credential was requested, so its callback is judged by the same settings. */
    identity?: IdentityCredentialSettings;
  };
  evidence?: Evidence;
  /** Why the presentation failed, in words for the agent and the caller (no score: the service sends none). */
  failure?: string;
  passDeliveredAt?: string;
}

/** Everything the escalation use cases need to know about caller verification for one request. */
export interface CallerVerificationView extends CallerVerificationFacts {
  policy: VerificationPolicy;
  status?: SessionStatus;
  evidence?: Evidence;
  failure?: string;
  /** The pass goes to the verified caller's page instead of the agent's chat. */
  directDelivery: boolean;
  passDeliveredAt?: string;
  /** The newest session's link is still usable. */
  sessionExpiresAt?: string;
}

export const MAX_CODE_ATTEMPTS = 5;

/** Whether a request needs a passed verification before it may be approved. */
export function verificationRequired(policy: VerificationPolicy, privileged: boolean): boolean {
  return policy === 'required' || (policy === 'required-for-privileged' && privileged);
}

export const isExpired = (session: Pick<VerificationSession, 'expiresAt'>, now: Date) =>
  now.getTime() >= Date.parse(session.expiresAt);
