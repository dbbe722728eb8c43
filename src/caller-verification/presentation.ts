import type { PresentationRequest } from './api.js';
import type { IdentityCredentialSettings } from './identity.js';
import { SOURCE_PHOTO_CLAIM } from './rules.js';
import type { CredentialType, VerificationConfig } from './settings.js';

const PURPOSE = 'To confirm to your helpdesk that it is really you before they help you sign in again';

/**
 * The presentation request for one session, as the Request Service documents it
 * (https://learn.microsoft.com/entra/verified-id/presentation-request-api): pinned issuers, no
 * revoked credentials, the linked domain validated, Face Check against the credential's photo
 * (https://learn.microsoft.com/entra/verified-id/using-facecheck).
 */
export function presentationRequestFor(
  config: Pick<VerificationConfig, 'authority' | 'acceptedIssuers' | 'faceCheckThreshold'>,
  type: CredentialType,
  callback: { url: string; state: string; apiKey: string },
  identity?: IdentityCredentialSettings,
): PresentationRequest {
  return {
    authority: config.authority ?? '',
    includeQRCode: true,
    includeReceipt: false,
    registration: { clientName: 'SSAR Helpdesk', purpose: PURPOSE },
    callback: { url: callback.url, state: callback.state, headers: { 'api-key': callback.apiKey } },
    requestedCredentials: [
      {
        type: identity?.type ?? type,
        purpose: PURPOSE,
        acceptedIssuers: [...(identity?.acceptedIssuers ?? config.acceptedIssuers)],
        configuration: {
          validation: {
            allowRevoked: false,
            validateLinkedDomain: true,
            faceCheck: {
              sourcePhotoClaimName: identity?.photoClaim ?? SOURCE_PHOTO_CLAIM[type],
              matchConfidenceThreshold: config.faceCheckThreshold,
            },
          },
        },
      },
    ],
  };
}
