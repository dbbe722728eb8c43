import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { Directory } from '../directory/directory.js';
import { parseUserQuery } from '../directory/users.js';
import {
  isProblem,
  passSettings,
  type ActionOutcome,
  type EscalationNotifier,
  type EscalationService,
  type PassToDeliver,
} from '../escalation/escalations.js';
import { describeState, samePerson, type EscalationRecord, type EscalationState, type Person, type VerificationMethod } from '../escalation/state-machine.js';
import { readActionData } from './action-data.js';
import type { Asker } from './asker.js';
import { plain, utcMinute, type AdaptiveCard, type CardTemplates } from './cards.js';
import { queryFromMessage } from './check.js';
import type { ConversationBook } from './conversations.js';
import { Refused, type TurnKit } from './turn.js';

export interface EscalationDependencies {
  escalations: EscalationService;
  book: ConversationBook;
  directory: Directory;
  cards: CardTemplates;
}

export const ESCALATE_PATTERN = /^\s*escalate\b/i;
const REQUESTS_PATTERN = /^\s*(?:requests|my requests|list requests)\s*[.!?]?\s*$/i;

const VERIFICATION: Record<VerificationMethod, string> = {
  'video-call-with-id': 'Video call with a government ID',
  'in-person': 'In person',
  'manager-vouched-on-call': 'Their manager vouched for them on a call',
  other: 'Other',
};
const VERIFICATION_METHODS = Object.keys(VERIFICATION) as VerificationMethod[];

const LOOK: Record<EscalationState, { label: string; style: string }> = {
  requested: { label: 'Waiting for approval', style: 'emphasis' },
  approved: { label: 'Approved', style: 'good' },
  issuing: { label: 'Issuing the pass', style: 'good' },
  issued: { label: 'Pass issued', style: 'good' },
  denied: { label: 'Denied', style: 'attention' },
  expired: { label: 'Expired', style: 'warning' },
  cancelled: { label: 'Cancelled', style: 'default' },
  failed: { label: 'Failed', style: 'attention' },
};

const REQUEST_ID = { requestId: { kind: 'guid', required: true } } as const;

const describeSettings = (settings: { lifetimeInMinutes: number; isUsableOnce: boolean } | undefined) =>
  settings
    ? `valid for ${settings.lifetimeInMinutes} minutes, ${settings.isUsableOnce ? 'one-time use' : 'usable more than once until it expires'} (the tenant's TAP policy)`
    : 'issued with the tenant’s TAP policy settings (they could not be read just now)';

export function registerEscalationRoutes(app: Application, kit: TurnKit, deps: EscalationDependencies): void {
  const { escalations, cards } = deps;

  const requireAgent = (asker: Asker) => {
    if (!asker.isHelpdeskAgent) {
      throw new Refused('Only the helpdesk can request a pass', 'Temporary Access Passes are requested by helpdesk agents. Ask the helpdesk if someone cannot sign in.');
    }
  };

  const requestForm = async (asker: Asker, userId: string): Promise<AdaptiveCard> => {
    requireAgent(asker);
    const assessed = await escalations.assessTarget(asker, userId);
    if (isProblem(assessed)) throw new Refused(assessed.title, assessed.message);
    const { user, privileged } = assessed;
    return cards.render('escalation-request', {
      target: { id: user.id, name: plain(user.displayName), userPrincipalName: plain(user.userPrincipalName) },
      passSettings: describeSettings(await passSettings(deps.directory)),
      note: privileged
        ? `${plain(user.displayName)} holds a directory role, so this request needs two different approvers.`
        : '',
    });
  };

  /** The helpdesk, the requester and whoever may approve it see a request; nobody else sees its details. */
  const mayLook = async (asker: Asker, record: EscalationRecord) =>
    asker.isHelpdeskAgent || asker.isApprover || samePerson(asker, record.requester) || escalations.isApprover(record, asker.id);

  /** The card as this person should see it: buttons only for what they may do now. */
  const viewFor = async (context: TurnContext, asker: Asker, record: EscalationRecord, extra: { notice?: string; delivery?: string } = {}) =>
    escalationCard(deps, record, {
      viewerId: asker.id,
      viewerChatId: context.activity.from.id,
      canDecide: await escalations.canDecide(record, asker.id),
      ...extra,
    });

  /** The request after an action; someone who may not see it gets only the refusal, never its details. */
  const answerFor = async (context: TurnContext, asker: Asker, outcome: ActionOutcome | undefined, refusedTitle: string) => {
    if (!outcome) throw noSuchRequest();
    if (!(await mayLook(asker, outcome.record))) throw new Refused(refusedTitle, outcome.refusal ?? 'This request is not yours to act on.');
    return viewFor(context, asker, outcome.record, { notice: outcome.refusal });
  };

  app.message(
    ESCALATE_PATTERN,
    kit.onMessage(async (context, asker) => {
      requireAgent(asker);
      const query = await escalationQuery(context);
      if ('problem' in query) return cards.render('notice', { title: 'Who needs a pass?', message: `${plain(query.problem)} For example: escalate adele.vance@contoso.com` });
      const users = await deps.directory.findUsers(query);
      if (users.length === 0) return cards.render('notice', { title: 'No such user in this tenant', message: 'I found nobody matching that. Use their email address.' });
      if (users.length > 1) {
        const names = users.map((u) => plain(u.userPrincipalName ?? u.displayName)).join(', ');
        return cards.render('notice', { title: 'Several people match', message: `Say which one with their email address: ${names}.` });
      }
      return requestForm(asker, users[0]!.id);
    }),
  );

  app.adaptiveCards.actionExecute(
    'escalate.start',
    kit.onAction(async (_context, asker, data) => {
      const { userId } = readActionData(data, { userId: { kind: 'guid', required: true } });
      return requestForm(asker, userId!);
    }),
  );

  app.adaptiveCards.actionExecute(
    'escalate.submit',
    kit.onAction(async (context, asker, data) => {
      const input = readActionData(data, {
        userId: { kind: 'guid', required: true },
        reason: { kind: 'text', maxLength: 500 },
        verification: { kind: 'choice', choices: VERIFICATION_METHODS, required: true },
        verificationDetail: { kind: 'text', maxLength: 500 },
      });
      requireAgent(asker);
      const filed = await escalations.file({
        tenantId: asker.tenantId,
        requester: { id: asker.id, name: asker.name },
        targetId: input.userId!,
        reason: input.reason ?? '',
        verification: { method: input.verification as VerificationMethod, detail: input.verificationDetail },
      });
      if (isProblem(filed)) throw new Refused(filed.title, filed.message);
      return viewFor(context, asker, filed.record, { delivery: deliveryReport(filed.notified, filed.unreachable) });
    }),
  );

  app.adaptiveCards.actionExecute(
    'escalation.view',
    kit.onAction(async (context, asker, data) => {
      const { requestId } = readActionData(data, REQUEST_ID);
      const record = await escalations.open(asker.tenantId, requestId!);
      if (!record) throw noSuchRequest();
      if (!(await mayLook(asker, record))) throw new Refused('Not your request', 'Only the helpdesk and the people who may approve it can see this request.');
      return viewFor(context, asker, record);
    }),
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.adaptiveCards.actionExecute(
      `escalation.${decision}`,
      kit.onAction(async (context, asker, data) => {
        const spec = decision === 'deny' ? { ...REQUEST_ID, denialReason: { kind: 'text', maxLength: 500 } as const } : REQUEST_ID;
        const { requestId, denialReason } = readActionData(data, spec) as { requestId?: string; denialReason?: string };
        const outcome = await escalations.decide(asker.tenantId, requestId!, { id: asker.id, name: asker.name }, decision, denialReason);
        return answerFor(context, asker, outcome, 'You cannot decide on this request');
      }),
    );
  }

  app.adaptiveCards.actionExecute(
    'escalation.cancel',
    kit.onAction(async (context, asker, data) => {
      const { requestId } = readActionData(data, REQUEST_ID);
      const outcome = await escalations.cancel(asker.tenantId, requestId!, { id: asker.id, name: asker.name });
      return answerFor(context, asker, outcome, 'You cannot cancel this request');
    }),
  );

  // The agent has handed the pass over: the message that showed it is replaced by one without it.
  app.adaptiveCards.actionExecute(
    'pass.hide',
    kit.onAction(async (_context, asker, data) => {
      const { requestId } = readActionData(data, REQUEST_ID);
      const record = await escalations.open(asker.tenantId, requestId!);
      if (!record || !samePerson(record.requester, asker)) throw noSuchRequest();
      return cards.render('tap-handed-over', {
        targetName: plain(record.target.name),
        removedAt: utcMinute(new Date().toISOString()),
        state: plain(describeState(record)),
      });
    }),
  );

  app.message(
    REQUESTS_PATTERN,
    kit.onMessage(async (_context, asker) => {
      if (!asker.isHelpdeskAgent && !asker.isApprover) {
        throw new Refused('Only for the helpdesk and approvers', 'The list of pass requests is for helpdesk agents and approvers.');
      }
      const recent = await escalations.recent(asker.tenantId);
      return cards.render('escalation-list', {
        title: 'Recent Temporary Access Pass requests',
        requests: recent.map((record) => ({
          requestId: record.id,
          target: plain(record.target.name),
          state: LOOK[record.state].label,
          detail: `Requested by ${plain(record.requester.name)} at ${utcMinute(record.createdAt)}. ${plain(describeState(record))}`,
        })),
      });
    }),
  );
}

const noSuchRequest = () =>
  new Refused('No such request', 'I have no request with that id in your organisation. Check the card, or list requests with "requests".');

/** "escalate adele.vance@contoso.com", "escalate for Adele Vance", or an @mention. */
async function escalationQuery(context: TurnContext) {
  const mentionsSomeone = (context.activity.entities ?? []).some((e) => e.type === 'mention' && e.mentioned?.id !== context.activity.recipient?.id);
  if (mentionsSomeone) return queryFromMessage(context);
  return parseUserQuery((context.activity.text ?? '').replace(ESCALATE_PATTERN, '').replace(/^\s*(?:for|user)\s+/i, ''));
}

function deliveryReport(notified: Person[], unreachable: Person[]): string {
  const names = (people: Person[]) => people.map((p) => plain(p.name)).join(', ');
  const lines: string[] = [];
  if (notified.length > 0) lines.push(`Sent for approval to ${names(notified)}.`);
  for (const person of unreachable) {
    lines.push(`${plain(person.name)} has not opened the SSAR Helpdesk app in Teams yet; ask them to, or another approver can approve.`);
  }
  if (notified.length === 0) lines.push('No approver could be reached yet: once one opens the app, they can find this request with "requests".');
  return lines.join('\n\n');
}

interface ViewOptions {
  viewerId: string;
  /** The viewer's Teams chat id (29:…), for refresh.userIds. */
  viewerChatId?: string;
  canDecide: boolean;
  notice?: string;
  delivery?: string;
}

/** One request as one person sees it: approvers who may act get Approve/Deny, the requester Cancel while it is pending. */
export async function escalationCard(deps: Pick<EscalationDependencies, 'book' | 'cards' | 'directory'>, record: EscalationRecord, view: ViewOptions): Promise<AdaptiveCard> {
  const isRequester = record.requester.id.toLowerCase() === view.viewerId.toLowerCase();
  const requesterChatId = await deps.book.chatUserId(record.tenantId, record.requester.id);
  const userIds = [...new Set([view.viewerChatId, requesterChatId].filter((id): id is string => Boolean(id)))];
  const facts = [
    { title: 'User', value: plain(record.target.name) },
    { title: 'Sign-in name', value: plain(record.target.userPrincipalName) },
    { title: 'Requested by', value: `${plain(record.requester.name)} at ${utcMinute(record.createdAt)}` },
    { title: 'Reason', value: plain(record.reason) },
    {
      title: 'Identity verified',
      value: VERIFICATION[record.verification.method] + (record.verification.detail ? `: ${plain(record.verification.detail)}` : ''),
    },
    ...(record.state === 'requested' ? [{ title: 'Expires', value: utcMinute(record.expiresAt) }] : []),
    ...(record.privileged ? [{ title: 'Approvals needed', value: `${record.approvalsRequired} (holds a directory role)` }] : []),
  ];
  return deps.cards.render('escalation', {
    requestId: record.id,
    userIds,
    title: `Temporary Access Pass for ${plain(record.target.name)}`,
    targetName: plain(record.target.name),
    stateLabel: LOOK[record.state].label,
    style: LOOK[record.state].style,
    status: plain(describeState(record), 1000),
    notice: view.notice ? plain(view.notice, 1000) : '',
    delivery: view.delivery ?? '',
    facts,
    canDecide: view.canDecide,
    canCancel: isRequester && (record.state === 'requested' || record.state === 'approved'),
    passSettings: view.canDecide ? describeSettings(await passSettings(deps.directory)) : '',
  });
}

/** Approval cards, the pass and status news, each only ever to one person's 1:1 chat. */
export class TeamsEscalationNotifier implements EscalationNotifier {
  constructor(private readonly deps: Pick<EscalationDependencies, 'book' | 'cards' | 'directory'>) {}

  hasPersonalChat(tenantId: string, userId: string): Promise<boolean> {
    return this.deps.book.has(tenantId, userId);
  }

  async askApprover(record: EscalationRecord, approver: Person): Promise<void> {
    const viewerChatId = await this.deps.book.chatUserId(record.tenantId, approver.id);
    const card = await escalationCard(this.deps, record, { viewerId: approver.id, viewerChatId, canDecide: true });
    await this.sendOrThrow(record.tenantId, approver.id, card);
  }

  async deliverPass(record: EscalationRecord, pass: PassToDeliver): Promise<void> {
    const card = this.deps.cards.render('tap-issued', {
      requestId: record.id,
      targetName: plain(record.target.name),
      userPrincipalName: plain(record.target.userPrincipalName),
      code: pass.code,
      startsAt: utcMinute(pass.startsAt),
      expiresAt: `${utcMinute(pass.expiresAt)} (${pass.lifetimeInMinutes} minutes)`,
      oneTime: pass.isUsableOnce ? 'Yes: it works for one sign-in only' : 'No: it works until it expires',
    });
    await this.sendOrThrow(record.tenantId, record.requester.id, card);
  }

  async tellRequester(record: EscalationRecord): Promise<void> {
    const viewerChatId = await this.deps.book.chatUserId(record.tenantId, record.requester.id);
    const card = await escalationCard(this.deps, record, { viewerId: record.requester.id, viewerChatId, canDecide: false });
    await this.sendOrThrow(record.tenantId, record.requester.id, card);
  }

  private async sendOrThrow(tenantId: string, userId: string, card: AdaptiveCard): Promise<void> {
    const sent = await this.deps.book.send(tenantId, userId, card);
    if (sent === undefined) throw new Error('The person has no 1:1 chat with the bot');
  }
}
