import type { Presentation, PresentedCredential } from './request-service.js';

/**
 * Plays Microsoft Authenticator against the Request Service emulator: opens the request from the
 * link the verification page shows (retrieving it, which makes the service send request_retrieved),
 * then presents a chosen credential with a chosen Face Check score, or fails.
 */
export class TestWallet {
  /** The request URI inside an `openid-vc://?request_uri=…` link. */
  static requestUri(link: string): string {
    const uri = new URL(link.replace(/^openid-vc:\/\/\?/, 'openid-vc://x/?')).searchParams.get('request_uri');
    if (!uri) throw new Error('not an openid-vc link');
    return uri;
  }

  async retrieve(link: string): Promise<{ status: number; body: any }> {
    const response = await fetch(TestWallet.requestUri(link));
    return { status: response.status, body: await response.json() };
  }

  /** Retrieves the request (unless told it already has), then presents. The answer comes once the service's callback was answered. */
  async present(
    link: string,
    presentation: Presentation,
    options: { retrieve?: boolean } = {},
  ): Promise<{ status: number; callbackStatus?: number }> {
    if (options.retrieve !== false) {
      const retrieved = await this.retrieve(link);
      if (retrieved.status !== 200) return { status: retrieved.status };
    }
    const response = await fetch(`${TestWallet.requestUri(link)}/present`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(presentation),
    });
    const body = (await response.json()) as { callbackStatus?: number };
    return { status: response.status, callbackStatus: body.callbackStatus };
  }
}

/** A VerifiedEmployee credential as MyAccount issues it: the UPN as `revocationId`, names from the directory, the photo. */
export function verifiedEmployee(
  user: { userPrincipalName: string; givenName?: string; surname?: string; displayName?: string },
  issuer: string,
  issuedAt = new Date(Date.now() - 30 * 24 * 3600_000),
): PresentedCredential {
  return {
    type: 'VerifiedEmployee',
    issuer,
    issuanceDate: issuedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    expirationDate: new Date(issuedAt.getTime() + 180 * 24 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    claims: {
      revocationId: user.userPrincipalName,
      displayName: user.displayName ?? '',
      givenName: user.givenName ?? '',
      surname: user.surname ?? '',
      photo: 'emulated-photo',
    },
  };
}

/**
 * An identity verification credential as a recovery profile describes it: the names from the
 * government ID under the profile's claim names (firstName, lastName in the demo profile), the
 * portrait Face Check compares with, and whatever else the provider adds (date of birth, document id).
 */
export function verifiedIdentity(
  person: { givenName: string; surname: string },
  issuer: string,
  extra: Record<string, string> = {},
  type = 'verifiedIdentity',
): PresentedCredential {
  const issuedAt = new Date(Date.now() - 3600_000);
  return {
    type,
    issuer,
    issuanceDate: issuedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    expirationDate: new Date(issuedAt.getTime() + 30 * 24 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    claims: { firstName: person.givenName, lastName: person.surname, portrait: 'emulated-portrait', ...extra },
  };
}
