import type { Application } from '@microsoft/teams-ai';
import type { VerifyCaller } from '../app/verify-caller.js';
import { callerNotVerified } from '../escalation/policy.js';
import { isRefusal } from '../escalation/refusal.js';
import type { EscalationRecord } from '../escalation/state-machine.js';
import type { CallerVerificationView } from '../verification/sessions.js';
import { type CardTemplates, cardTime, plain } from './cards.js';
import type { PersonalChats } from './conversations.js';
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
        'Open a 1:1 chat with me first',
        'The caller’s link and code can only be sent to your own 1:1 chat with the SSAR Helpdesk app, and you have not opened it yet.',
      );
    }
    const started = await deps.verifyCaller.start(asker, requestId);
    if (isRefusal(started)) throw new Refused(started);
    const { session, link, code } = started;
    const card = deps.cards.render('notice', {
      title: `Verify ${plain(session.target.name)} with Face Check`,
      message: [
        `Give the caller this link and code, read out on the call or sent to a contact you already trust. The link works until ${cardTime(session.expiresAt)}; only the first browser that enters the code can continue.`,
        `Link: ${link}`,
        `Code: **${code}**`,
        'They scan a QR code with Microsoft Authenticator, share their Verified ID and take a selfie for Face Check. The result appears on the request card for everyone who can see it.',
      ].join('\n\n'),
    });
    if ((await deps.personalChats.send(asker.tenantId, asker.id, card)) === undefined)
      throw new Error('the link could not be sent to the agent’s 1:1 chat');
    return 'I sent the caller’s link and code to your 1:1 chat with me.';
  });
}

const score = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The evidence, for everyone who may see the request: what was presented, by whom issued, when, and how well the face matched. */
export function verificationFacts(view: CallerVerificationView | undefined): { title: string; value: string }[] {
  if (!view || view.policy === 'off') return [];
  const facts: { title: string; value: string }[] = [];
  const { evidence } = view;
  if (view.passed && evidence) {
    facts.push(
      { title: 'Caller verification', value: `Passed: ${evidence.credentialType} matched by ${evidence.matchedBy}` },
      { title: 'Credential issuer', value: plain(evidence.issuer, 200) },
      ...(evidence.issuedAt ? [{ title: 'Credential issued', value: cardTime(evidence.issuedAt) }] : []),
      { title: 'Face Check', value: `${score(evidence.score)} (threshold ${evidence.threshold})` },
      { title: 'Verified at', value: cardTime(evidence.verifiedAt) },
      {
        title: 'Pass delivery',
        value: view.passDeliveredAt
          ? `Shown once to the verified caller on their own page at ${cardTime(view.passDeliveredAt)}; nobody else saw it`
          : view.directDelivery
            ? 'After approval, only to the verified caller, on their own page'
            : 'To the requesting agent’s 1:1 chat',
      },
    );
    return facts;
  }
  const status =
    view.status === 'failed'
      ? `Not passed: ${plain(view.failure ?? 'the presentation failed')}`
      : view.status === 'retrieved'
        ? 'In progress: the caller opened the request in Authenticator'
        : view.status === 'opened'
          ? 'In progress: the caller entered the code and sees the QR code'
          : view.status === 'created'
            ? `Started: waiting for the caller to open the link (until ${cardTime(view.sessionExpiresAt ?? '')})`
            : 'Not started';
  facts.push({
    title: 'Caller verification',
    value: `${status}${view.required ? ' (required before approval)' : ' (optional)'}`,
  });
  return facts;
}

export function verificationNote(record: EscalationRecord, view: CallerVerificationView | undefined): string {
  if (!view?.required || view.passed || record.state !== 'requested') return '';
  return plain(callerNotVerified(record.target.name).message, 1000);
}
