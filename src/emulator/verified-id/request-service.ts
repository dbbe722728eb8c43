import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  PresentationCallback,
  PresentationRequest,
  PresentationResponse,
  RequestServiceErrorBody,
  VerifiedCredentialData,
} from '../../caller-verification/api.js';
import { qrLikePng } from './png.js';

/**
 * The Verified ID Request Service on loopback, for the demo and tests: createPresentationRequest
 * with the documented validation, 201 body and error bodies, and the callbacks the service sends
 * while Authenticator retrieves and presents (https://learn.microsoft.com/entra/verified-id/presentation-request-api,
 * https://learn.microsoft.com/entra/verified-id/using-facecheck, https://learn.microsoft.com/entra/verified-id/error-codes).
 *
 * Authenticator's side is not Microsoft's public API: the emulator serves the request as plain JSON
 * at the `request_uri` and takes the presentation at `…/present`, which the test wallet (wallet.ts)
 * uses. Like the Graph emulator it asks a loopback caller for no token.
 */

/** The docs give no lifetime for a presentation request; the samples' sessions last about five minutes. */
export const PRESENTATION_REQUEST_LIFETIME_S = 300;

/** What a wallet presents: one credential, as its issuer made it, and the Face Check score it reached. */
export interface PresentedCredential {
  type: string;
  issuer: string;
  claims: Record<string, unknown>;
  issuanceDate: string;
  expirationDate?: string;
  revoked?: boolean;
  /** The linked domain the service would validate. */
  domain?: string;
}

export type Presentation =
  | { credential: PresentedCredential; faceCheckScore?: number }
  | { error: { code: string; message: string } };

export interface EmulatedRequest {
  requestId: string;
  body: PresentationRequest;
  createdAt: number;
  expiresAt: number;
  status: 'created' | 'retrieved' | 'verified' | 'failed';
}

export interface DeliveredCallback {
  requestId: string;
  requestStatus: PresentationCallback['requestStatus'];
  /** What the bot answered. */
  status: number;
}

export interface VerifiedIdEmulator {
  /** The Request Service base URL the bot is configured with: `http://127.0.0.1:<port>/v1.0`. */
  baseUrl: string;
  /** Every presentation request the bot created, with its body (callback headers included), for tests. */
  requests(): EmulatedRequest[];
  callbacks: DeliveredCallback[];
  /** Sends one callback as the service would, to the request's callback URL with its headers; returns the bot's status. */
  sendCallback(requestId: string, body: PresentationCallback, headers?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

const STATUS_CODES: Record<number, [string, string]> = {
  400: ['badRequest', 'The request is invalid.'],
  404: ['notFound', "The requested resource doesn't exist."],
  405: ['methodNotAllowed', "The requested method isn't allowed on the requested resource."],
  415: ['unsupportedMediaType', 'The specified media type is unsupported.'],
};

class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly inner: { code: string; message: string; target?: string },
  ) {
    super(inner.message);
  }
}

const bad = (target: string, message: string) => new RequestError(400, { code: 'badOrMissingField', message, target });

export async function startVerifiedIdEmulator(
  options: { port?: number; tenantId?: string } = {},
): Promise<VerifiedIdEmulator> {
  const tenantId = options.tenantId ?? randomUUID();
  const requests = new Map<string, EmulatedRequest>();
  const callbacks: DeliveredCallback[] = [];
  let origin = '';

  const sendCallback = async (
    requestId: string,
    body: PresentationCallback,
    extraHeaders: Record<string, string> = {},
  ): Promise<number> => {
    const request = requests.get(requestId);
    if (!request) throw new Error(`no presentation request ${requestId}`);
    const { url, headers } = request.body.callback;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers, ...extraHeaders },
      body: JSON.stringify(body),
    }).catch(() => undefined);
    await response?.arrayBuffer();
    const status = response?.status ?? 0;
    callbacks.push({ requestId, requestStatus: body.requestStatus, status });
    return status;
  };

  const create = (body: unknown): PresentationResponse => {
    const request = validatePresentationRequest(body);
    const requestId = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    requests.set(requestId, {
      requestId,
      body: request,
      createdAt: now,
      expiresAt: now + PRESENTATION_REQUEST_LIFETIME_S,
      status: 'created',
    });
    const url = `openid-vc://?request_uri=${origin}/v1.0/${tenantId}/verifiableCredentials/presentationRequests/${requestId}`;
    return {
      requestId,
      url,
      expiry: now + PRESENTATION_REQUEST_LIFETIME_S,
      ...(request.includeQRCode ? { qrCode: qrLikePng(url) } : {}),
    };
  };

  const live = (requestId: string): EmulatedRequest => {
    const request = requests.get(requestId);
    if (!request || request.expiresAt * 1000 < Date.now())
      throw new RequestError(404, {
        code: 'notFound',
        message: 'The presentation request was not found or has expired.',
        target: requestId,
      });
    return request;
  };

  /** Authenticator opened the link: the service tells the verifier with request_retrieved. */
  const retrieve = async (requestId: string) => {
    const request = live(requestId);
    if (request.status !== 'created')
      throw new RequestError(404, {
        code: 'notFound',
        message: 'The presentation request was already used.',
        target: requestId,
      });
    request.status = 'retrieved';
    await sendCallback(requestId, {
      requestId,
      requestStatus: 'request_retrieved',
      state: request.body.callback.state,
    });
    const { authority, registration, requestedCredentials } = request.body;
    return { requestId, authority, registration, requestedCredentials };
  };

  const present = async (requestId: string, presentation: Presentation) => {
    const request = live(requestId);
    if (request.status !== 'retrieved')
      throw new RequestError(404, {
        code: 'notFound',
        message: 'The presentation request was not retrieved, or was already presented.',
        target: requestId,
      });
    const outcome = evaluate(request.body, presentation);
    request.status = 'verified' in outcome ? 'verified' : 'failed';
    const state = request.body.callback.state;
    const callback: PresentationCallback =
      'verified' in outcome
        ? {
            requestId,
            requestStatus: 'presentation_verified',
            state,
            subject: `did:web:wallet.example:${randomBytes(8).toString('hex')}`,
            verifiedCredentialsData: [outcome.verified],
          }
        : { requestId, requestStatus: 'presentation_error', state, error: outcome.error };
    return { callbackStatus: await sendCallback(requestId, callback) };
  };

  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/v1.0/verifiableCredentials/createPresentationRequest') {
        if (req.method !== 'POST') throw new RequestError(405, { code: 'methodNotAllowed', message: 'Use POST.' });
        if (!/^application\/json/i.test(req.headers['content-type'] ?? ''))
          throw new RequestError(415, {
            code: 'badOrMissingField',
            message: 'Content-Type must be application/json.',
            target: 'Content-Type',
          });
        return send(res, 201, create(await readJson(req)));
      }
      if (path === '/wallet' && req.method === 'GET')
        return sendHtml(
          res,
          walletPage([...requests.values()].filter((r) => r.status === 'created' || r.status === 'retrieved')),
        );
      if (path === '/wallet/present' && req.method === 'POST') {
        const form = new URLSearchParams(await readText(req));
        const requestId = form.get('requestId') ?? '';
        const request = live(requestId);
        if (request.status === 'created') await retrieve(requestId);
        const issuer = form.get('issuer') || request.body.authority;
        const type = request.body.requestedCredentials[0]!.type;
        const claims = {
          revocationId: form.get('upn') ?? '',
          givenName: form.get('givenName') ?? '',
          surname: form.get('surname') ?? '',
          photo: 'emulated-photo',
        };
        const issuedAt = new Date(Date.now() - 30 * 24 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
        await present(requestId, {
          credential: { type, issuer, claims, issuanceDate: issuedAt },
          faceCheckScore: Number(form.get('score') ?? '0'),
        });
        res.writeHead(303, { location: '/wallet' });
        return res.end();
      }
      const match = new RegExp(
        `^/v1\\.0/${tenantId}/verifiableCredentials/presentationRequests/([\\w-]+)(/present)?$`,
      ).exec(path);
      if (match && !match[2] && req.method === 'GET') return send(res, 200, await retrieve(match[1]!));
      if (match && match[2] && req.method === 'POST')
        return send(res, 200, await present(match[1]!, (await readJson(req)) as Presentation));
      throw new RequestError(404, { code: 'notFound', message: `No route ${req.method} ${path}.` });
    } catch (error) {
      if (!(error instanceof RequestError))
        return send(res, 500, errorBody(500, { code: 'internalServerError', message: 'Unexpected emulator error.' }));
      send(res, error.status, errorBody(error.status, error.inner));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: `${origin}/v1.0`,
    requests: () => [...requests.values()],
    callbacks,
    sendCallback,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The documented checks on the request body; the first problem is answered as the service does (400 badOrMissingField, with its target). */
export function validatePresentationRequest(body: unknown): PresentationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('body', 'The request body must be a JSON object.');
  const b = body as Record<string, any>;
  if (typeof b.authority !== 'string' || !b.authority.startsWith('did:'))
    throw bad('authority', 'The request contains no `authority`, or it is not a DID.');
  for (const flag of ['includeQRCode', 'includeReceipt'] as const) {
    if (b[flag] !== undefined && typeof b[flag] !== 'boolean')
      throw bad(flag, `The request contains \`${flag}\`, but it is not boolean.`);
  }
  if (typeof b.registration?.clientName !== 'string')
    throw bad('registration.clientName', 'The request contains no `registration.clientName`.');
  const callback = b.callback;
  if (typeof callback !== 'object' || callback === null) throw bad('callback', 'The request contains no `callback`.');
  if (typeof callback.url !== 'string' || !/^https?:\/\//.test(callback.url))
    throw bad('callback.url', 'The callback URL is unreadable.');
  if (typeof callback.state !== 'string' || callback.state === '')
    throw bad('callback.state', 'The request contains no `callback.state`.');
  if (callback.headers !== undefined) {
    if (typeof callback.headers !== 'object' || callback.headers === null)
      throw bad('callback.headers', 'The callback headers must be an object.');
    for (const [name, value] of Object.entries(callback.headers)) {
      if (!['api-key', 'authorization'].includes(name.toLowerCase()))
        throw bad(
          'callback.headers',
          `Invalid callback header "${name}": only api-key and Authorization are supported.`,
        );
      if (typeof value !== 'string') throw bad('callback.headers', `The callback header "${name}" must be a string.`);
    }
  }
  const credentials = b.requestedCredentials;
  if (!Array.isArray(credentials) || credentials.length === 0)
    throw bad('requestedCredentials', 'The request contains no `requestedCredentials`.');
  credentials.forEach((credential: any, i: number) => {
    const at = `requestedCredentials[${i}]`;
    if (typeof credential?.type !== 'string' || credential.type === '')
      throw bad(`${at}.type`, 'Every requested credential needs a `type`.');
    if (
      credential.acceptedIssuers !== undefined &&
      !(
        Array.isArray(credential.acceptedIssuers) &&
        credential.acceptedIssuers.every((i: unknown) => typeof i === 'string')
      )
    ) {
      throw bad(`${at}.acceptedIssuers`, '`acceptedIssuers` must be a list of DIDs.');
    }
    const faceCheck = credential.configuration?.validation?.faceCheck;
    if (faceCheck !== undefined) {
      if (typeof faceCheck.sourcePhotoClaimName !== 'string' || faceCheck.sourcePhotoClaimName === '') {
        throw bad(
          `${at}.configuration.validation.faceCheck.sourcePhotoClaimName`,
          '`sourcePhotoClaimName` is mandatory for faceCheck.',
        );
      }
      const threshold = faceCheck.matchConfidenceThreshold;
      if (threshold !== undefined && !(Number.isInteger(threshold) && threshold >= 50 && threshold <= 100)) {
        throw bad(
          `${at}.configuration.validation.faceCheck.matchConfidenceThreshold`,
          '`matchConfidenceThreshold` must be an integer between 50 and 100.',
        );
      }
    }
  });
  return b as PresentationRequest;
}

/**
 * What the service decides about a presentation. Only the Face Check failure's error code is
 * documented (claimValidationError); the emulator's other codes are its own.
 */
function evaluate(
  request: PresentationRequest,
  presentation: Presentation,
): { verified: VerifiedCredentialData } | { error: { code: string; message: string } } {
  if ('error' in presentation) return { error: presentation.error };
  const { credential, faceCheckScore } = presentation;
  const wanted = request.requestedCredentials.find((r) => r.type === credential.type);
  if (!wanted)
    return {
      error: {
        code: 'emulator_credentialTypeNotRequested',
        message: `The presented credential is not a requested type.`,
      },
    };
  if (
    wanted.acceptedIssuers &&
    wanted.acceptedIssuers.length > 0 &&
    !wanted.acceptedIssuers.includes(credential.issuer)
  ) {
    return {
      error: { code: 'emulator_issuerNotAccepted', message: 'The credential was not issued by an accepted issuer.' },
    };
  }
  const validation = wanted.configuration?.validation ?? {};
  if (credential.revoked && !validation.allowRevoked)
    return { error: { code: 'emulator_credentialRevoked', message: 'The credential has been revoked.' } };
  const faceCheck = validation.faceCheck;
  if (faceCheck) {
    const threshold = faceCheck.matchConfidenceThreshold ?? 70;
    if (faceCheckScore === undefined || faceCheckScore < threshold) {
      return {
        error: { code: 'claimValidationError', message: 'Match confidence score failing to meet the threshold.' },
      };
    }
  }
  const { type, revoked: _revoked, domain, faceCheckScore: _score, ...rest } = { ...credential, faceCheckScore };
  return {
    verified: {
      issuer: rest.issuer,
      type: ['VerifiableCredential', type],
      claims: rest.claims,
      credentialState: { revocationStatus: 'VALID' },
      domainValidation: { url: domain ?? 'https://contoso.com/' },
      issuanceDate: rest.issuanceDate,
      ...(rest.expirationDate ? { expirationDate: rest.expirationDate } : {}),
      ...(faceCheck ? { faceCheck: { matchConfidenceScore: faceCheckScore, sourcePhotoQuality: 'HIGH' } } : {}),
    },
  };
}

function errorBody(status: number, inner: { code: string; message: string; target?: string }): RequestServiceErrorBody {
  const [code, message] = STATUS_CODES[status] ?? [
    'internalServerError',
    'A generic error has occurred on the server.',
  ];
  return {
    requestId: randomUUID(),
    date: new Date().toUTCString(),
    mscv: 'emulator',
    error: { code, message, innererror: inner },
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** For people trying the demo: Authenticator's part by hand, one form per open presentation request. */
function walletPage(open: EmulatedRequest[]): string {
  const forms = open
    .map(
      (
        r,
      ) => `<form method="post" action="/wallet/present"><fieldset><legend>${escapeHtml(r.body.requestedCredentials[0]!.type)} for ${escapeHtml(r.body.registration.clientName)} (${escapeHtml(r.status)})</legend>
<input type="hidden" name="requestId" value="${escapeHtml(r.requestId)}">
<label>Sign-in name (revocationId) <input name="upn" placeholder="adele.vance@contoso.com" required></label><br>
<label>First name <input name="givenName"></label> <label>Last name <input name="surname"></label><br>
<label>Issuer <input name="issuer" value="${escapeHtml(r.body.authority)}" size="40"></label><br>
<label>Face Check score <input name="score" type="number" min="0" max="100" step="0.1" value="86.3"></label>
<button type="submit">Present</button></fieldset></form>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test wallet</title></head><body><h1>Test wallet (plays Microsoft Authenticator)</h1>
${forms || '<p>No open presentation request. Enter the code on the caller’s page first, then reload.</p>'}</body></html>`;
}

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  try {
    return JSON.parse(text || 'null');
  } catch {
    throw bad('body', 'The request body is not valid JSON.');
  }
}
