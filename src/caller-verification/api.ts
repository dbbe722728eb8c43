/**
 * The Verified ID Request Service's presentation API, as Microsoft documents it. No SDK publishes
 * these types, so they are written from the pages, field by field:
 * - request, response and callbacks: https://learn.microsoft.com/entra/verified-id/presentation-request-api
 * - faceCheck in the request and the callbacks: https://learn.microsoft.com/entra/verified-id/using-facecheck
 * - error bodies: https://learn.microsoft.com/entra/verified-id/error-codes
 * - calling it (token, scope): https://learn.microsoft.com/entra/verified-id/get-started-request-api
 */

/** The application permission's scope for a client-credentials token. */
export const REQUEST_SERVICE_SCOPE = '3db474b9-6a0c-4840-96ac-1fceb342124f/.default';
export const CREATE_PRESENTATION_REQUEST_PATH = '/verifiableCredentials/createPresentationRequest';

export interface FaceCheckRequest {
  /** The claim holding the photo: `photo` in VerifiedEmployee, `portrait` in recovery-profile credentials. */
  sourcePhotoClaimName: string;
  /** Integer 50-100, default 70. */
  matchConfidenceThreshold?: number;
}

export interface RequestedCredential {
  type: string;
  purpose?: string;
  /** Empty or absent means any issuer: the bot always sends its pinned list. */
  acceptedIssuers?: string[];
  configuration?: {
    validation?: { allowRevoked?: boolean; validateLinkedDomain?: boolean; faceCheck?: FaceCheckRequest };
  };
}

export interface PresentationRequest {
  authority: string;
  includeQRCode?: boolean;
  includeReceipt?: boolean;
  registration: { clientName: string; purpose?: string };
  /** Only `api-key` and `Authorization` headers are accepted by the service. */
  callback: { url: string; state: string; headers?: Record<string, string> };
  requestedCredentials: RequestedCredential[];
}

/** HTTP 201. `expiry` is in seconds since the epoch. */
export interface PresentationResponse {
  requestId: string;
  url: string;
  expiry: number;
  qrCode?: string;
}

export type RequestStatus = 'request_retrieved' | 'presentation_verified' | 'presentation_error';

export interface VerifiedCredentialData {
  issuer: string;
  type: string[];
  claims: Record<string, unknown>;
  credentialState?: { revocationStatus?: string };
  domainValidation?: { url?: string };
  issuanceDate?: string;
  expirationDate?: string;
  faceCheck?: { matchConfidenceScore?: number; sourcePhotoQuality?: string };
}

export interface PresentationCallback {
  requestId: string;
  requestStatus: RequestStatus;
  state: string;
  subject?: string;
  verifiedCredentialsData?: VerifiedCredentialData[];
  receipt?: unknown;
  /** On presentation_error; a Face Check below the threshold is `claimValidationError`, with no score. */
  error?: { code?: string; message?: string };
}

/** The error body of every failed call (the current format, with `innererror`). */
export interface RequestServiceErrorBody {
  requestId?: string;
  date?: string;
  mscv?: string;
  error: { code: string; message: string; innererror?: { code: string; message: string; target?: string } };
}
