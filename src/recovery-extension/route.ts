import type restify from 'restify';
import type { Logger } from '../log.js';
import { answerFor, parseCallout } from './callout.js';
import type { EntraTokenVerifier } from './token.js';
import type { ClaimValidation } from './validation.js';

export const CLAIM_VALIDATION_PATH = '/api/recovery/claim-validation';
/** A Verified ID photo claim may ride along in `claims` (Microsoft's sample lists `photo`). */
export const CLAIM_VALIDATION_MAX_BYTES = 4 * 1024 * 1024;

/** The server reads this route's body as text, so a caller without a token learns nothing from a parse error. */
export const CLAIM_VALIDATION_BODY = {
  pathPrefix: CLAIM_VALIDATION_PATH,
  maxBytes: CLAIM_VALIDATION_MAX_BYTES,
  raw: true,
};

function jsonOf(body: unknown): unknown {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
const NOT_JSON = Symbol('not JSON');

export interface ClaimValidationRouteDeps {
  verifier: EntraTokenVerifier;
  validation: ClaimValidation;
  /** The tenant this extension serves; a callout for another is refused. */
  tenantId: string;
  log: Logger;
}

/**
 * POST /api/recovery/claim-validation, Entra's OnVerifiedIdClaimValidation custom authentication
 * extension. 401 before anything is read when the token is not Entra's for this API; 400 with the
 * reason for a body that is not the callout; otherwise 200 with `Content-Type: application/json` and
 * one action, pass or failed (custom-extension-troubleshoot.md: 1003006 a content type other than
 * application/json, 1003010 a different number of actions).
 */
export function registerClaimValidationRoute(server: restify.Server, deps: ClaimValidationRouteDeps): void {
  const { log } = deps;
  server.post(CLAIM_VALIDATION_PATH, async (req, res) => {
    const token = await deps.verifier.verify(req.headers.authorization);
    if (!token.ok) {
      log.warn({ status: 401, remote: req.socket.remoteAddress }, `refused claim validation callout: ${token.reason}`);
      res.header('WWW-Authenticate', 'Bearer');
      res.send(401, {
        error: {
          code: 'Unauthorized',
          message: "Only Microsoft Entra's custom authentication extension may call this.",
        },
      });
      return;
    }
    // The body is read unparsed (CLAIM_VALIDATION_BODY): nothing of it is looked at before the token is.
    const parsed = parseCallout(jsonOf(req.body));
    const problem =
      'problem' in parsed
        ? parsed.problem
        : parsed.callout.tenantId !== deps.tenantId
          ? 'data.tenantId is not the tenant this extension serves'
          : undefined;
    if (problem !== undefined || 'problem' in parsed) {
      log.warn({ status: 400 }, `bad claim validation callout: ${problem}`);
      res.send(400, { error: { code: 'BadCallout', message: `Not a claim validation callout: ${problem}.` } });
      return;
    }
    try {
      const attempt = await deps.validation.answer(parsed.callout);
      res.header('Content-Type', 'application/json');
      res.send(200, answerFor(attempt.outcome, attempt.failedClaims));
    } catch (error) {
      // Entra counts anything but a 200 with an action as a failed callout: recovery does not go on.
      log.error({ correlationId: parsed.callout.correlationId, err: (error as Error).name }, 'claim validation failed');
      res.send(500, { error: { code: 'InternalError', message: 'The claims could not be validated.' } });
    }
  });
}
