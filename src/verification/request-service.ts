import type { TokenCredential } from '@azure/identity';
import {
  CREATE_PRESENTATION_REQUEST_PATH,
  type PresentationRequest,
  type PresentationResponse,
  REQUEST_SERVICE_SCOPE,
  type RequestServiceErrorBody,
} from '../caller-verification/api.js';

/** The Request Service refused or could not be reached; the message names the code, never a token or a key. */
export class RequestServiceError extends Error {
  override name = 'RequestServiceError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Creates presentation requests. A bearer token for the Request Service's scope from the bot's
 * managed identity or app registration (https://learn.microsoft.com/entra/verified-id/get-started-request-api);
 * none against a loopback emulator, as with Graph.
 */
export class RequestServiceClient {
  constructor(
    private readonly baseUrl: string,
    private readonly credential: TokenCredential | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async createPresentationRequest(body: PresentationRequest): Promise<PresentationResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.credential) {
      const token = await this.credential.getToken(REQUEST_SERVICE_SCOPE).catch(() => null);
      if (!token)
        throw new RequestServiceError(
          0,
          'tokenError',
          'no access token for the Verified ID Request Service (check the managed identity and its VerifiableCredential.Create.PresentRequest role)',
        );
      headers.authorization = `Bearer ${token.token}`;
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${CREATE_PRESENTATION_REQUEST_PATH}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new RequestServiceError(
        0,
        'unreachable',
        `the Verified ID Request Service could not be reached (${(error as Error).name})`,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.status !== 201 && response.status !== 200) {
      const error = (parsed as RequestServiceErrorBody | undefined)?.error;
      const inner = error?.innererror;
      const code = inner?.code ?? error?.code ?? 'unknown';
      const target = inner?.target ? ` (${String(inner.target).slice(0, 80)})` : '';
      throw new RequestServiceError(
        response.status,
        code,
        `the Verified ID Request Service answered ${response.status} ${String(code).slice(0, 60)}${target}`,
      );
    }
    const created = parsed as Partial<PresentationResponse> | undefined;
    if (
      !created ||
      typeof created.requestId !== 'string' ||
      typeof created.url !== 'string' ||
      typeof created.expiry !== 'number'
    ) {
      throw new RequestServiceError(
        response.status,
        'badResponse',
        'the Verified ID Request Service answered without requestId, url and expiry',
      );
    }
    return {
      requestId: created.requestId,
      url: created.url,
      expiry: created.expiry,
      ...(typeof created.qrCode === 'string' ? { qrCode: created.qrCode } : {}),
    };
  }
}
