import type { PresentationCallback } from '../caller-verification/api.js';
import { verificationAuditEntry } from '../caller-verification/audit.js';
import { type CallerPage, closedWords } from '../caller-verification/caller-page.js';
import { identitySettings } from '../caller-verification/identity.js';
import { presentationRequestFor } from '../caller-verification/presentation.js';
import { judgeCallback, parseCallback, type TargetNow } from '../caller-verification/rules.js';
import { hashOf, linkId, matchesHash, shortCode, unguessable } from '../caller-verification/secrets.js';
import { isExpired, MAX_CODE_ATTEMPTS, type VerificationSession } from '../caller-verification/session.js';
import type { VerificationConfig } from '../caller-verification/settings.js';
import { decide as policy } from '../escalation/policy.js';
import { isRefusal, type Refusal, refusal } from '../escalation/refusal.js';
import { forMachines, say } from '../escalation/sentence.js';
import type { Person } from '../escalation/state-machine.js';
import type { Logger } from '../log.js';
import type { Actor } from './actor.js';
import type { EscalationService, PassToDeliver } from './escalations.js';
import type {
  OrganisationRecords,
  PresentationRequests,
  Requests,
  VerificationDirectory,
  VerificationNews,
  VerificationSessionStore,
} from './ports.js';

/**
 * Verifying the caller before a pass (issue 19): the agent starts a session bound to one request
 * and its target; the caller opens the link, enters the short code, and presents a Verified ID
 * with Face Check from Authenticator; the Request Service calls back; after approval the pass is
 * shown once in that same browser. Every refusal is logged (no secrets) and audited.
 */

export const VERIFY_PATH = '/verify';
export const CALLBACK_PATH = '/api/verify/callback';

/** What the caller's page says in words of ours (the page translates them: src/verification/page.ts). */
export const CALLER_WORDS = {
  wrongCode: 'That code is not right. Check it with the helpdesk agent and try again.',
  notPassed: 'The verification did not pass.',
  requestGone: 'The request is gone.',
} as const;

export interface StartedVerification {
  session: VerificationSession;
  link: string;
  /** Shown to the agent once, to read out; only its hash is kept. */
  code: string;
}

export type { CallerPage };

const CALLER: Person = { id: 'caller', name: 'caller (verification page)' };
const REQUEST_SERVICE: Person = { id: 'verified-id-request-service', name: 'Verified ID Request Service' };

export interface VerifyCallerDependencies {
  sessions: VerificationSessionStore;
  escalations: EscalationService;
  directory: VerificationDirectory;
  requestService: PresentationRequests;
  audit: Pick<Requests, 'appendAudit'>;
  config: VerificationConfig;
  /** The bot's public base URL (callbacks and links); the listening URL against a loopback emulator. */
  publicBaseUrl: () => string;
  log: Logger;
  now?: () => Date;
  news?: VerificationNews;
  /** The organisation's records with the claim validation extension's rules (RECOVERY_CLAIMS_SOURCE); absent when not configured. */
  records?: OrganisationRecords;
}

export class VerifyCaller {
  private readonly now: () => Date;

  constructor(private readonly deps: VerifyCallerDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The agent's "Verify with Face Check": a new session for this request, its link and short code. */
  async start(actor: Actor, requestId: string): Promise<StartedVerification | Refusal> {
    const { config, escalations, sessions } = this.deps;
    if (config.policy === 'off') {
      return refusal(
        'verification-off',
        say('Caller verification with Verified ID is not set up for this helpdesk (CALLER_VERIFICATION is off).'),
        say('Verification is off'),
      );
    }
    // Whoever may not see the request learns nothing more than "no such request".
    const view = await escalations.view(actor, requestId);
    if (isRefusal(view)) return view;
    const { record } = view;
    const allowed = policy('verify-caller', await escalations.factsAbout(actor, record), record);
    if (isRefusal(allowed)) return allowed;
    if (record.state !== 'requested') {
      return refusal(
        'verification-not-possible',
        say('This request is no longer waiting for approval, so there is nothing to verify the caller for.'),
        say('Nothing to verify'),
      );
    }
    const latest = await sessions.latestFor(record.tenantId, record.id);
    if (latest?.status === 'verified') {
      return refusal(
        'already-verified',
        latest.evidence?.verifiedAt
          ? say('The caller was already verified for this request at ${at}; a request takes one verified result.', {
              at: { at: latest.evidence.verifiedAt },
            })
          : say('The caller was already verified for this request; a request takes one verified result.'),
        say('Already verified'),
      );
    }
    const now = this.now();
    const code = shortCode();
    const expiresAt = new Date(
      Math.min(now.getTime() + config.linkMinutes * 60_000, Date.parse(record.expiresAt)),
    ).toISOString();
    const session: VerificationSession = {
      // Short enough to read out on the call, with the code (src/caller-verification/secrets.ts).
      id: linkId(),
      ref: unguessable(6),
      tenantId: record.tenantId,
      requestId: record.id,
      target: { id: record.target.id, name: record.target.name, userPrincipalName: record.target.userPrincipalName },
      startedBy: { id: actor.id, name: actor.name },
      createdAt: now.toISOString(),
      expiresAt,
      status: 'created',
      codeHash: hashOf(code),
      codeAttempts: 0,
    };
    await sessions.create(session);
    await this.audit(session, actor, 'started', `link valid until ${expiresAt}`);
    await this.tell(session, 'started');
    return { session, link: `${this.deps.publicBaseUrl()}${VERIFY_PATH}/${session.id}`, code };
  }

  /** The page for a link, as this browser (its cookie) may see it. */
  async page(sessionId: string, browser: string | undefined): Promise<CallerPage> {
    const session = await this.deps.sessions.get(sessionId);
    if (!session) return { kind: 'gone' };
    if (!session.browserHash) {
      if (isExpired(session, this.now()) || session.codeAttempts >= MAX_CODE_ATTEMPTS) return { kind: 'gone' };
      return {
        kind: 'enter-code',
        targetFirstName: firstName(session.target.name),
        types: this.deps.config.credentialTypes,
      };
    }
    if (!matchesHash(browser, session.browserHash)) {
      await this.refused(
        session,
        CALLER,
        'opened-elsewhere',
        'the link was opened without this session’s browser cookie',
      );
      return { kind: 'opened-elsewhere' };
    }
    if (session.status === 'failed') return { kind: 'failed', failure: session.failure ?? CALLER_WORDS.notPassed };
    if (session.status === 'verified') return { kind: 'verified', ...(await this.afterVerification(session)) };
    if (isExpired(session, this.now())) return { kind: 'gone' };
    const presentation = session.presentation!;
    // The Request Service's own expiry may come before the session's: a stale QR code is no use to the caller.
    const expiresAt =
      presentation.expiresAt && presentation.expiresAt < session.expiresAt ? presentation.expiresAt : session.expiresAt;
    if (session.status === 'opened' && isExpired({ expiresAt }, this.now())) return { kind: 'gone' };
    return {
      kind: 'present',
      link: presentation.url,
      qrCode: presentation.qrCode,
      retrieved: session.status === 'retrieved',
      expiresAt,
    };
  }

  /**
   * The caller typed the code: the first right code binds this browser (a new unguessable cookie)
   * and creates the presentation request. Returns the cookie to set, or the page to show instead.
   */
  async enterCode(
    sessionId: string,
    code: string,
    type: string | undefined,
    browser: string | undefined,
  ): Promise<{ cookie: string } | CallerPage> {
    const { sessions, config } = this.deps;
    const session = await sessions.get(sessionId);
    if (!session || isExpired(session, this.now()) || session.codeAttempts >= MAX_CODE_ATTEMPTS)
      return { kind: 'gone' };
    if (session.browserHash) return this.page(sessionId, browser);
    const credentialType = config.credentialTypes.find((t) => t === type) ?? config.credentialTypes[0]!;
    if (!matchesHash(code.trim(), session.codeHash)) {
      const outcome = await sessions.update(sessionId, (s) =>
        s.browserHash ? s : { ...s, codeAttempts: s.codeAttempts + 1 },
      );
      const attempts = outcome.outcome === 'updated' ? outcome.after.value.codeAttempts : session.codeAttempts;
      await this.refused(session, CALLER, 'wrong-code', `attempt ${attempts} of ${MAX_CODE_ATTEMPTS}`);
      if (attempts >= MAX_CODE_ATTEMPTS) return { kind: 'gone' };
      return {
        kind: 'enter-code',
        targetFirstName: firstName(session.target.name),
        types: config.credentialTypes,
        problem: CALLER_WORDS.wrongCode,
      };
    }
    const cookie = unguessable();
    const state = unguessable();
    const apiKey = unguessable();
    // An identity credential is requested as the tenant's recovery profile says, unless configuration overrides it.
    const identity =
      credentialType === 'VerifiedIdentity'
        ? identitySettings(await this.deps.directory.identityProfiles(), {
            overrideIssuers: config.identityIssuers,
            acceptedIssuers: config.acceptedIssuers,
          })
        : undefined;
    const created = await this.deps.requestService.createPresentationRequest(
      presentationRequestFor(
        this.deps.config,
        credentialType,
        { url: `${this.deps.publicBaseUrl()}${CALLBACK_PATH}/${session.id}`, state, apiKey },
        identity,
      ),
    );
    const outcome = await sessions.update(sessionId, (s) =>
      s.browserHash
        ? refusal('verification-not-possible', forMachines('opened in another browser meanwhile'))
        : {
            ...s,
            status: 'opened',
            browserHash: hashOf(cookie),
            presentation: {
              requestId: created.requestId,
              url: created.url,
              ...(created.qrCode ? { qrCode: created.qrCode } : {}),
              expiresAt: new Date(created.expiry * 1000).toISOString(),
              stateHash: hashOf(state),
              apiKeyHash: hashOf(apiKey),
              ...(identity ? { identity } : {}),
            },
          },
    );
    if (outcome.outcome !== 'updated') return { kind: 'opened-elsewhere' };
    await this.audit(session, CALLER, 'opened', `presentation request for ${credentialType} created`);
    await this.tell(outcome.after.value, 'opened');
    return { cookie };
  }

  /** One Request Service callback. The answer is an HTTP status; nothing about the session leaks into it. */
  async callback(sessionId: string, apiKey: string | undefined, body: unknown): Promise<number> {
    const { sessions, config, log } = this.deps;
    const session = await sessions.get(sessionId);
    if (!session) {
      log.warn({ code: 'unknown-session' }, 'verification callback refused: no such session');
      return 404;
    }
    const callback = parseCallback(body);
    if (!callback) {
      await this.refused(session, REQUEST_SERVICE, 'bad-callback', 'the body is not a presentation callback');
      return 400;
    }
    const judgement = judgeCallback(
      session,
      callback,
      {
        apiKeyMatches: matchesHash(apiKey, session.presentation?.apiKeyHash),
        stateMatches: matchesHash(callback.state, session.presentation?.stateHash),
      },
      await this.targetNow(session, callback),
      {
        acceptedIssuers: config.acceptedIssuers,
        credentialTypes: config.credentialTypes,
        threshold: config.faceCheckThreshold,
        ...(session.presentation?.identity ? { identity: session.presentation.identity } : {}),
      },
      this.now(),
    );
    if (judgement.outcome === 'ignored') {
      await this.refused(session, REQUEST_SERVICE, 'replay-ignored', judgement.reason);
      return 200;
    }
    const next = judgement.session;
    if (next) {
      // Etag-checked against the session as judged: of two callbacks at once, one wins and the other is judged again.
      const outcome = await sessions.update(session.id, (current) =>
        current.status === session.status ? next : current,
      );
      if (outcome.outcome === 'unchanged') return this.callback(sessionId, apiKey, body);
    }
    if (judgement.outcome === 'refused') {
      await this.refused(session, REQUEST_SERVICE, judgement.refusal.code, judgement.refusal.message);
      if (next) await this.tell(next, 'failed');
      return judgement.refusal.code === 'bad-api-key' ? 401 : 403;
    }
    const detail =
      judgement.event === 'verified'
        ? `${next!.evidence!.credentialType} from ${next!.evidence!.issuer}, Face Check ${next!.evidence!.score} (threshold ${next!.evidence!.threshold})`
        : next!.failure;
    await this.audit(session, REQUEST_SERVICE, judgement.event, detail);
    await this.tell(next!, judgement.event);
    return 200;
  }

  /**
   * The verified caller's browser asks for its pass after approval: created now, written into this
   * response by `write`, never stored. The second ask finds the request issued and gets nothing.
   */
  async collectPass(
    sessionId: string,
    browser: string | undefined,
    write: (pass: PassToDeliver) => Promise<void>,
  ): Promise<'shown' | CallerPage> {
    const session = await this.deps.sessions.get(sessionId);
    if (!session?.browserHash || !matchesHash(browser, session.browserHash)) {
      if (session)
        await this.refused(
          session,
          CALLER,
          'pass-without-browser',
          'the pass was asked for without this session’s cookie',
        );
      return session ? { kind: 'opened-elsewhere' } : { kind: 'gone' };
    }
    if (session.status !== 'verified') return this.page(sessionId, browser);
    let shown = false;
    const record = await this.deps.escalations.issueToVerifiedPerson(
      session.tenantId,
      session.requestId,
      async (pass) => {
        await write(pass);
        shown = true;
      },
    );
    if (!shown) return this.page(sessionId, browser);
    const at = this.now().toISOString();
    const delivered = await this.deps.sessions.update(session.id, (s) => ({ ...s, passDeliveredAt: at }));
    if (delivered.outcome === 'updated') await this.tell(delivered.after.value, 'pass-shown');
    await this.audit(
      session,
      CALLER,
      'pass-shown',
      `shown once in the verified browser; request ${record?.state ?? 'unknown'}`,
    );
    return 'shown';
  }

  private async afterVerification(
    session: VerificationSession,
  ): Promise<{ next: Extract<CallerPage, { kind: 'verified' }>['next']; closedBecause?: string }> {
    if (session.passDeliveredAt) return { next: 'delivered' };
    const record = await this.deps.escalations.current(session.tenantId, session.requestId);
    if (!record) return { next: 'closed', closedBecause: CALLER_WORDS.requestGone };
    const facts = await this.deps.sessions.factsFor(record);
    switch (record.state) {
      case 'requested':
        return { next: 'wait-for-approval' };
      case 'approved':
        return { next: facts.directDelivery ? 'collect-pass' : 'agent-delivers' };
      case 'issuing':
        return { next: facts.directDelivery ? 'being-shown' : 'agent-delivers' };
      case 'issued':
        return { next: 'agent-delivers' };
      default:
        return { next: 'closed', closedBecause: closedWords(record) };
    }
  }

  /**
   * The target as the directory has them at the moment the callback arrives (nobody matches an
   * account that is gone); for an identity credential also their namesakes in the tenant and,
   * when configured, the organisation's record checked against the presented claims.
   */
  private async targetNow(session: VerificationSession, callback: PresentationCallback): Promise<TargetNow> {
    const subject = await this.deps.directory.verificationSubject(session.target.id);
    if (!subject) return { userPrincipalName: '' };
    const claims = callback.verifiedCredentialsData?.[0]?.claims;
    if (!session.presentation?.identity || callback.requestStatus !== 'presentation_verified' || !claims)
      return subject;
    const { identity } = session.presentation;
    // The claim rules read the names as firstName and lastName, whatever the profile calls them.
    const presented = {
      ...claims,
      firstName: claims[identity.givenNameClaim],
      lastName: claims[identity.surnameClaim],
    };
    const [namesakes, record] = await Promise.all([
      this.deps.directory.namesakesOf({ id: session.target.id, ...subject }),
      this.deps.records?.check(subject.userPrincipalName, { claims: presented }),
    ]);
    return { ...subject, identity: { namesakes, ...(record ? { record } : {}) } };
  }

  /** Best effort: a card that could not be updated must not undo what happened. */
  private async tell(session: VerificationSession, event: Parameters<VerificationNews['changed']>[1]): Promise<void> {
    try {
      await this.deps.news?.changed(session, event);
    } catch (error) {
      this.deps.log.warn(
        { session: session.ref, requestId: session.requestId, err: (error as Error).name },
        'verification news not delivered',
      );
    }
  }

  private async refused(session: VerificationSession, actor: Person, code: string, reason: string): Promise<void> {
    this.deps.log.warn({ session: session.ref, requestId: session.requestId, code }, `verification refused: ${reason}`);
    await this.audit(session, actor, 'refused', `${code}: ${reason}`);
  }

  private audit(session: VerificationSession, actor: Person, event: string, detail?: string): Promise<void> {
    return this.deps.audit.appendAudit(verificationAuditEntry(session, actor, event, detail, this.now()));
  }
}

const firstName = (name: string) => name.split(/\s+/)[0] ?? name;
