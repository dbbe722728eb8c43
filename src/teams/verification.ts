import type { Application } from '@microsoft/teams-ai';
import type { EscalationService } from '../app/escalations.js';
import type { VerificationNews } from '../app/ports.js';
import type { VerifyCaller } from '../app/verify-caller.js';
import { spokenCode } from '../caller-verification/secrets.js';
import type { CallerVerificationView, Evidence, VerificationSession } from '../caller-verification/session.js';
import { callerNotVerified } from '../escalation/policy.js';
import { isRefusal } from '../escalation/refusal.js';
import type { EscalationRecord } from '../escalation/state-machine.js';
import type { Logger } from '../log.js';
import { type CardTemplates, cardTime, plain } from './cards.js';
import type { PersonalChats } from './conversations.js';
import { inReaderWords, t } from './locale.js';
import type { NoticeWords, TeamsOutcomeMessenger } from './notifications.js';
import { Refused, type Turns } from './turn.js';

/**
 * "Verify with Face Check" on the escalation card: the caller's link and code go to the agent's own
 * 1:1 chat (the card may sit in a group chat, and is replaced for everyone when it refreshes); the
 * click is answered with a line saying so.
 */
export function registerVerificationRoutes(
  app: Application,
  turns: Turns,
  deps: { verifyCaller: VerifyCaller; cards: CardTemplates; personalChats: PersonalChats },
): void {
  turns.onVerb(app, 'verification.start', async (_context, asker, { requestId }) => {
    if (!(await deps.personalChats.has(asker.tenantId, asker.id))) {
      throw new Refused(
        t('Open a 1:1 chat with me first'),
        t(
          'The caller’s link and code can only be sent to your own 1:1 chat with the SSAR Helpdesk app, and you have not opened it yet.',
        ),
      );
    }
    const started = await deps.verifyCaller.start(asker, requestId);
    if (isRefusal(started)) throw new Refused(started);
    const { session, link, code } = started;
    const card = deps.cards.render('notice', {
      title: t('Verify ${name} with Face Check', { name: plain(session.target.name) }),
      message: [
        t(
          'Give the caller this link and code, read out on the call or sent to a contact you already trust. The link works until ${at}; only the first browser that enters the code can continue.',
          { at: cardTime(session.expiresAt) },
        ),
        t('Link: ${link}', { link }),
        t('Code: **${code}**', { code: spokenCode(code) }),
        t(
          'They scan a QR code with Microsoft Authenticator, share their Verified ID and take a selfie for Face Check. The result appears on the request card for everyone who can see it.',
        ),
      ].join('\n\n'),
    });
    if ((await deps.personalChats.send(asker.tenantId, asker.id, card)) === undefined)
      throw new Error('the link could not be sent to the agent’s 1:1 chat');
    return t('I sent the caller’s link and code to your 1:1 chat with me.');
  });
}

const score = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** How the credential's subject was matched, in the reader's language. */
const MATCHED_BY: Record<Evidence['matchedBy'], () => string> = {
  'sign-in name': () => t('sign-in name'),
  'first and last name': () => t('first and last name'),
  'first and last name, unique in the tenant': () => t('first and last name, unique in the tenant'),
  'first and last name and the organisation’s record': () => t('first and last name and the organisation’s record'),
};

/** The evidence, for everyone who may see the request: what was presented, by whom issued, when, and how well the face matched. */
export function verificationFacts(view: CallerVerificationView | undefined): { title: string; value: string }[] {
  if (!view || view.policy === 'off') return [];
  const facts: { title: string; value: string }[] = [];
  const { evidence } = view;
  if (view.passed && evidence) {
    facts.push(
      {
        title: t('Caller verification'),
        value: t('Passed: ${type} matched by ${matchedBy}', {
          type: plain(evidence.credentialType, 100),
          matchedBy: MATCHED_BY[evidence.matchedBy]?.() ?? plain(evidence.matchedBy, 100),
        }),
      },
      { title: t('Credential issuer'), value: plain(evidence.issuer, 200) },
      ...(evidence.settingsFrom
        ? [
            {
              title: t('Credential settings'),
              value: t('From ${source}', { source: plain(evidence.settingsFrom, 200) }),
            },
          ]
        : []),
      ...(evidence.issuedAt ? [{ title: t('Credential issued'), value: cardTime(evidence.issuedAt) }] : []),
      {
        title: 'Face Check',
        value: t('${score} (threshold ${threshold})', { score: score(evidence.score), threshold: evidence.threshold }),
      },
      { title: t('Verified at'), value: cardTime(evidence.verifiedAt) },
      {
        title: t('Pass delivery'),
        value: view.passDeliveredAt
          ? t('Shown once to the verified caller on their own page at ${at}; nobody else saw it', {
              at: cardTime(view.passDeliveredAt),
            })
          : view.directDelivery
            ? t('After approval, only to the verified caller, on their own page')
            : t('To the requesting agent’s 1:1 chat'),
      },
    );
    return facts;
  }
  const status =
    view.status === 'failed'
      ? t('Not passed: ${failure}', { failure: plain(view.failure ?? 'the presentation failed') })
      : view.status === 'retrieved'
        ? t('In progress: the caller opened the request in Authenticator')
        : view.status === 'opened'
          ? t('In progress: the caller entered the code and sees the QR code')
          : view.status === 'created'
            ? t('Link sent: waiting for the caller to open it (until ${at})', {
                at: cardTime(view.sessionExpiresAt ?? ''),
              })
            : t('Not started');
  facts.push({
    title: t('Caller verification'),
    value: view.required
      ? t('${status} (required before approval)', { status })
      : t('${status} (optional)', { status }),
  });
  return facts;
}

export function verificationNote(record: EscalationRecord, view: CallerVerificationView | undefined): string {
  if (!view?.required || view.passed || record.state !== 'requested') return '';
  return plain(inReaderWords(callerNotVerified(record.target.name).said), 1000);
}

/**
 * As the caller's verification moves, every card of the request (each approver's and the agent's)
 * is updated in place; a pass or a failure is also told to the agent in their 1:1 chat, with the
 * reason and never the credential's claims.
 */
export class TeamsVerificationNews implements VerificationNews {
  constructor(
    private readonly deps: {
      escalations: Pick<EscalationService, 'current' | 'refreshLiveCards'>;
      messenger: Pick<TeamsOutcomeMessenger, 'notifyInWords'>;
      log: Logger;
    },
  ) {}

  async changed(session: VerificationSession, event: Parameters<VerificationNews['changed']>[1]): Promise<void> {
    const record = await this.deps.escalations.current(session.tenantId, session.requestId);
    if (!record) return;
    // The teams layer's one live card per person (EscalationService.refreshLiveCards), at every step.
    await this.deps.escalations.refreshLiveCards(record);
    if (event !== 'verified' && event !== 'failed') return;
    // Written in the agent's language: this arrives with the Request Service's callback, not in their turn.
    await this.deps.messenger.notifyInWords(record.tenantId, record.requester.id, () =>
      verificationNotice(record, session, event),
    );
  }
}

/** What the agent is told when the caller's verification passed or failed: the reason, never the credential's claims. */
function verificationNotice(
  record: EscalationRecord,
  session: VerificationSession,
  event: 'verified' | 'failed',
): NoticeWords {
  const name = record.target.name;
  const evidence = session.evidence;
  if (event === 'verified' && evidence) {
    return {
      title: t('Caller verified: ${name}', { name }),
      message: `${t('The caller proved with Verified ID and Face Check that they are ${name}.', { name })} ${
        record.state === 'requested'
          ? t('The approvers see the evidence on their cards and can approve now.')
          : t('The evidence is on the request card.')
      }`,
      facts: [
        {
          title: t('Credential'),
          value: t('${type}, matched by ${matchedBy}', {
            type: evidence.credentialType,
            matchedBy: MATCHED_BY[evidence.matchedBy]?.() ?? evidence.matchedBy,
          }),
        },
        { title: t('Credential issuer'), value: evidence.issuer },
        {
          title: 'Face Check',
          value: t('${score} (threshold ${threshold})', {
            score: score(evidence.score),
            threshold: evidence.threshold,
          }),
        },
      ],
    };
  }
  return {
    title: t('Caller verification did not pass: ${name}', { name }),
    message: t(
      '${failure} The approvers see this on their cards. You can start a new attempt with "Verify with Face Check" on the request card.',
      { failure: session.failure ?? t('The presentation failed.') },
    ),
    facts: [],
  };
}
