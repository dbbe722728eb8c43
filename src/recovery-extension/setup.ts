import type restify from 'restify';
import type { Config } from '../config.js';
import type { Graph } from '../directory/graph.js';
import { readRecoveringUser } from '../directory/recovering-user.js';
import { recoveryProfileFrom, type VerifiedIdProfile } from '../directory/recovery-setup.js';
import type { TenantFacts } from '../directory/tenant.js';
import type { Logger } from '../log.js';
import type { DocumentStore } from '../storage/store.js';
import { type RecoveryAttempt, RecoveryAttempts } from './attempts.js';
import { type MatchLevel, matchLevelOfCallingProfiles } from './claims.js';
import { type ClaimsSource, createClaimsSource } from './claims-source.js';
import { CLAIM_VALIDATION_BODY, registerClaimValidationRoute } from './route.js';
import { EntraTokenVerifier } from './token.js';
import { ClaimValidation } from './validation.js';

export interface ClaimValidationExtension {
  attempts: RecoveryAttempts;
  register(server: restify.Server): void;
  largeBody: typeof CLAIM_VALIDATION_BODY;
}

/**
 * The extension wired from configuration, or undefined when RECOVERY_CLAIMS_SOURCE is not set. The
 * source is read once here: a missing or unreadable one is said once, and every callout then fails
 * with that reason (logged) until it can be read.
 */
export async function setUpClaimValidation(
  config: Config,
  deps: {
    store: DocumentStore;
    graph: Graph;
    tenant: TenantFacts;
    log: Logger;
    now?: () => Date;
    onAttempt?: (attempt: RecoveryAttempt) => void;
    /** The organisation's records when the caller already opened them (shared with caller verification). */
    source?: ClaimsSource;
    /** Overrides the level read from the tenant's identity verification profiles. */
    matchLevel?: () => Promise<MatchLevel>;
  },
): Promise<ClaimValidationExtension | undefined> {
  const settings = config.recoveryExtension;
  if (!settings.claimsSource || !settings.audience || !settings.tenantId) return undefined;
  const { log } = deps;
  const source = deps.source ?? createClaimsSource(settings.claimsSource);
  const health = await source.open();
  if (health.ok) log.info({ records: health.records }, `claim validation extension reads ${source.description}`);
  else
    log.error(
      `claim validation extension: ${source.description} is unavailable (${health.reason}); every callout fails until it can be read`,
    );
  const verifier = new EntraTokenVerifier({
    loginBaseUrl: settings.loginBaseUrl,
    tenantId: settings.tenantId,
    audience: settings.audience,
  });
  verifier.warmUp();
  // The role grants of the tenant, cached, so the first callout does not wait for them.
  if (settings.privileged === 'refuse') deps.tenant.getPolicies().catch(() => undefined);
  const attempts = new RecoveryAttempts(deps.store);
  const validation = new ClaimValidation({
    source,
    attempts,
    readUser: (who, options) => readRecoveringUser(deps.graph, deps.tenant, who, options),
    requiredClaims: settings.requiredClaims,
    privileged: settings.privileged,
    matchLevel: deps.matchLevel ?? profilesMatchLevel(deps.graph, () => (deps.now?.() ?? new Date()).getTime()),
    log,
    now: deps.now,
    onAttempt: deps.onAttempt,
  });
  const tenantId = settings.tenantId;
  return {
    attempts,
    register: (server) => registerClaimValidationRoute(server, { verifier, validation, tenantId, log }),
    largeBody: CLAIM_VALIDATION_BODY,
  };
}

const PROFILES_MAX_AGE_MS = 5 * 60_000;

/**
 * The match level of the tenant's profiles that call this extension (GET /identity/verifiedId/profiles,
 * Graph v1.0 verifiedIdProfile), read at most every five minutes. Entra does not say in the callout
 * which profile applied, so when they differ, or the profiles cannot be read, the stricter level decides.
 */
function profilesMatchLevel(graph: Graph, now: () => number): () => Promise<MatchLevel> {
  let cached: { at: number; level: Promise<MatchLevel> } | undefined;
  return () => {
    if (!cached || now() - cached.at > PROFILES_MAX_AGE_MS) {
      const level = graph
        .get<{ value?: VerifiedIdProfile[] }>('/identity/verifiedId/profiles')
        .then((body) => matchLevelOfCallingProfiles((body.value ?? []).map(recoveryProfileFrom)))
        .catch((): MatchLevel => 'exact');
      cached = { at: now(), level };
    }
    return cached.level;
  };
}
