import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { EscalationService, FiledRequest, PassSettings, RequestView } from '../app/escalations.js';
import { parseUserQuery, type UserQuery } from '../eligibility/user-query.js';
import { acceptanceNeeded } from '../escalation/policy.js';
import { isRefusal, type Refusal } from '../escalation/refusal.js';
import type { EscalationRecord, EscalationState, Person, VerificationMethod } from '../escalation/state-machine.js';
import { stateSentence } from '../escalation/status.js';
import type { Asker } from './asker.js';
import { type AdaptiveCard, type CardTemplates, cardTime, plain } from './cards.js';
import { queryFromMessage } from './check.js';
import type { PersonalChats } from './conversations.js';
import type { LiveCardIndex } from './live-cards.js';
import { inReaderWords, t } from './locale.js';
import { Refused, type Turns } from './turn.js';
import { verificationFacts, verificationNote } from './verification.js';

export interface EscalationDependencies {
  escalations: EscalationService;
  personalChats: PersonalChats;
  cards: CardTemplates;
  /** Where each person's live card for a request is; without it every change is a new card. */
  liveCards?: LiveCardIndex;
  now?: () => Date;
}

export const ESCALATE_PATTERN = /^\s*escalate\b/i;
export const REQUESTS_PATTERN = /^\s*(?:requests|my requests|list requests)\s*[.!?]?\s*$/i;

// Functions, so each is written in the language of the turn that renders it.
const VERIFICATION: Record<VerificationMethod, () => string> = {
  'video-call-with-id': () => t('Video call with a government ID'),
  'in-person': () => t('In person'),
  'manager-vouched-on-call': () => t('Their manager vouched for them on a call'),
  other: () => t('Other'),
};

const LOOK: Record<EscalationState, { label: () => string; style: string }> = {
  requested: { label: () => t('Waiting for approval'), style: 'emphasis' },
  approved: { label: () => t('Approved'), style: 'good' },
  issuing: { label: () => t('Issuing the pass'), style: 'good' },
  issued: { label: () => t('Pass issued'), style: 'good' },
  denied: { label: () => t('Denied'), style: 'attention' },
  expired: { label: () => t('Expired'), style: 'warning' },
  cancelled: { label: () => t('Cancelled'), style: 'default' },
  failed: { label: () => t('Failed'), style: 'attention' },
};

const LIFETIME_SOURCE: Record<PassSettings['lifetimeSource'], () => string> = {
  configured: () => t('the helpdesk’s setting'),
  'policy-minimum': () => t('the shortest the tenant’s TAP policy allows'),
  'policy-maximum': () => t('the longest the tenant’s TAP policy allows'),
};

const describeSettings = (settings: PassSettings | undefined) =>
  settings
    ? t(
        'valid for ${minutes} minutes, one-time use (${source}; a pass read out on a call works for one sign-in only)',
        {
          minutes: settings.lifetimeInMinutes,
          source: LIFETIME_SOURCE[settings.lifetimeSource](),
        },
      )
    : t('issued with the tenant’s TAP policy settings (they could not be read just now)');

/** Where the request stands, in the reader's language and on their clock, moments the core wrote into it (a failure's) included. */
const readerState = (record: EscalationRecord): string => inReaderWords(stateSentence(record), 'clock');

/** The result of a use case, or its refusal thrown to become the error card. */
function orRefuse<T>(result: T | Refusal): T {
  if (isRefusal(result)) throw new Refused(result);
  return result;
}

export function registerEscalationRoutes(app: Application, turns: Turns, deps: EscalationDependencies): void {
  const { escalations, cards } = deps;

  const requestForm = async (asker: Asker, query: UserQuery | { problem: string }): Promise<AdaptiveCard> => {
    const form = orRefuse(await escalations.startRequest(asker, query));
    if ('unclear' in form) {
      return cards.render('notice', {
        title: t('Who needs a pass?'),
        message: t('${problem} For example: escalate adele.vance@contoso.com', { problem: plain(t(form.unclear)) }),
      });
    }
    if ('several' in form) {
      const names = form.several.map((u) => plain(u.userPrincipalName ?? u.displayName)).join(', ');
      return cards.render('notice', {
        title: t('Several people match'),
        message: t('Say which one with their email address: ${names}.', { names }),
      });
    }
    const { target, privileged, passSettings } = form;
    return cards.render('escalation-request', {
      target: { id: target.id, name: plain(target.displayName), userPrincipalName: plain(target.userPrincipalName) },
      passSettings: describeSettings(passSettings),
      note: privileged
        ? t('${name} holds a directory role, so this request needs two different approvers.', {
            name: plain(target.displayName),
          })
        : '',
    });
  };

  const render = (context: TurnContext, viewerId: string, view: RequestView, delivery?: string) =>
    escalationCard(deps, view, {
      viewerId,
      viewerChatId: context.activity.from.id,
      delivery,
      ...(deps.now ? { at: deps.now() } : {}),
    });

  app.message(
    ESCALATE_PATTERN,
    turns.onMessage('escalate', async (context, asker) => {
      const query = await escalationQuery(context);
      if ('problem' in query) {
        if (!asker.isHelpdeskAgent) return requestForm(asker, { kind: 'id', id: '' });
        return cards.render('escalate-choose', {
          message: t('${problem} Pick them below, or type for example: escalate adele.vance@contoso.com', {
            problem: plain(t(query.problem)),
          }),
        });
      }
      return requestForm(asker, query);
    }),
  );

  turns.onVerb(app, 'escalate.start', async (_context, asker, { userId }) =>
    requestForm(asker, { kind: 'id', id: userId }),
  );

  turns.onVerb(app, 'escalate.submit', async (context, asker, input) => {
    const formId = context.activity.replyToId;
    const filed = orRefuse(
      await escalations.file(asker, {
        formId,
        targetId: input.userId,
        reason: input.reason ?? '',
        verification: { method: input.verification, detail: input.verificationDetail },
      }),
    );
    // The form's message becomes the request's live card in the agent's chat, replaced as the request moves.
    if (!filed.notice && formId) await deps.liveCards?.remember(filed.record, asker, formId, 'requester');
    // An answer that shows an open request instead of filing one has no delivery to report.
    return render(
      context,
      asker.id,
      filed,
      filed.notice ? undefined : deliveryReport(filed.notified, filed.unreachable),
    );
  });

  turns.onVerb(app, 'escalation.view', async (context, asker, { requestId }) =>
    render(context, asker.id, orRefuse(await escalations.view(asker, requestId))),
  );

  turns.onVerb(app, 'escalation.approve', async (context, asker, { requestId, accept }) =>
    render(context, asker.id, orRefuse(await escalations.decide(asker, requestId, 'approve', undefined, accept))),
  );

  turns.onVerb(app, 'escalation.deny', async (context, asker, { requestId, denialReason }) =>
    render(context, asker.id, orRefuse(await escalations.decide(asker, requestId, 'deny', denialReason))),
  );

  turns.onVerb(app, 'escalation.cancel', async (context, asker, { requestId }) =>
    render(context, asker.id, orRefuse(await escalations.cancel(asker, requestId))),
  );

  // The agent has handed the pass over: the message that showed it is replaced by one without it.
  turns.onVerb(app, 'pass.hide', async (_context, asker, { requestId }) => {
    const record = orRefuse(await escalations.handOver(asker, requestId));
    return cards.render('tap-handed-over', {
      targetName: plain(record.target.name),
      removedAt: cardTime(new Date().toISOString()),
      state: plain(readerState(record)),
    });
  });

  app.message(
    REQUESTS_PATTERN,
    turns.onMessage('requests', async (_context, asker) => {
      const recent = orRefuse(await escalations.list(asker));
      return cards.render('escalation-list', {
        title: t('Recent Temporary Access Pass requests'),
        requests: recent.map((record) => ({
          requestId: record.id,
          target: plain(record.target.name),
          state: LOOK[record.state].label(),
          detail: `${t('Requested by ${name} at ${at}.', { name: plain(record.requester.name), at: cardTime(record.createdAt) })} ${plain(readerState(record))}`,
        })),
      });
    }),
  );
}

/** "escalate adele.vance@contoso.com", "escalate for Adele Vance", or an @mention. */
async function escalationQuery(context: TurnContext) {
  const mentionsSomeone = (context.activity.entities ?? []).some(
    (e) => e.type === 'mention' && e.mentioned?.id !== context.activity.recipient?.id,
  );
  if (mentionsSomeone) return queryFromMessage(context);
  return parseUserQuery(
    (context.activity.text ?? '').replace(ESCALATE_PATTERN, '').replace(/^\s*(?:for|user)\s+/i, ''),
  );
}

function deliveryReport(notified: Person[], unreachable: FiledRequest['unreachable']): string {
  const names = (people: Person[]) => people.map((p) => plain(p.name)).join(', ');
  const lines: string[] = [];
  if (notified.length > 0) lines.push(t('Sent for approval to ${names}.', { names: names(notified) }));
  for (const person of unreachable) {
    const line = t(
      '${name} has not opened the SSAR Helpdesk app in Teams yet; ask them to, or another approver can approve.',
      { name: plain(person.name) },
    );
    // Why proactive installation did not work for them: Graph's answer in words, never a body.
    lines.push(
      person.notInstalled
        ? `${line} ${t('The app could not be installed for them: ${reason}.', { reason: plain(person.notInstalled) })}`
        : line,
    );
  }
  if (notified.length === 0)
    lines.push(
      t('No approver could be reached yet: once one opens the app, they can find this request with "requests".'),
    );
  return lines.join('\n\n');
}

interface ViewOptions {
  viewerId: string;
  /** The bot's clock, for how long the request has waited; now when absent. */
  at?: Date;
  /** The viewer's Teams chat id (29:…), for refresh.userIds. */
  viewerChatId?: string;
  delivery?: string;
}

/** How long the request has waited and with whom: the approvers its cards went to. */
async function waiting(
  deps: Pick<EscalationDependencies, 'liveCards'>,
  record: EscalationRecord,
  at = new Date(),
): Promise<string> {
  const minutes = Math.max(0, Math.floor((at.getTime() - Date.parse(record.createdAt)) / 60_000));
  const holders = ((await deps.liveCards?.cardsFor(record)) ?? [])
    .filter((card) => card.role === 'approver' && card.name)
    .map((card) => plain(card.name ?? ''));
  return holders.length > 0
    ? t('${minutes} minutes so far, with ${names}', { minutes, names: holders.join(', ') })
    : t('${minutes} minutes so far', { minutes });
}

/** One request as one person sees it: approvers who may act get Approve/Deny, the requester Cancel while it is pending. */
export async function escalationCard(
  deps: Pick<EscalationDependencies, 'personalChats' | 'cards' | 'liveCards'>,
  view: RequestView,
  viewer: ViewOptions,
): Promise<AdaptiveCard> {
  const { record } = view;
  const isRequester = record.requester.id.toLowerCase() === viewer.viewerId.toLowerCase();
  const requesterChatId = await deps.personalChats.chatUserId(record.tenantId, record.requester.id);
  const userIds = [...new Set([viewer.viewerChatId, requesterChatId].filter((id): id is string => Boolean(id)))];
  const facts = [
    { title: t('User'), value: plain(record.target.name) },
    { title: t('Sign-in name'), value: plain(record.target.userPrincipalName) },
    {
      title: t('Requested by'),
      value: t('${name} at ${at}', { name: plain(record.requester.name), at: cardTime(record.createdAt) }),
    },
    { title: t('Reason'), value: plain(record.reason) },
    {
      title: t('Identity verified'),
      value:
        VERIFICATION[record.verification.method]() +
        (record.verification.detail ? `: ${plain(record.verification.detail)}` : ''),
    },
    ...(record.state === 'requested' ? [{ title: t('Expires'), value: cardTime(record.expiresAt) }] : []),
    ...(record.state === 'requested' ? [{ title: t('Waiting'), value: await waiting(deps, record, viewer.at) }] : []),
    ...(record.privileged
      ? [
          {
            title: t('Approvals needed'),
            value: t('${count} (holds a directory role)', { count: record.approvalsRequired }),
          },
        ]
      : []),
    ...verificationFacts(view.verification),
    ...record.approvals
      .filter((approval) => approval.accepted)
      .map((approval) => ({
        title: t('Approved without a verified caller'),
        value: t('${name} accepted ${what}', { name: plain(approval.approver.name), what: plain(approval.accepted!) }),
      })),
  ];
  const canApprove = view.canApprove ?? view.canDecide;
  const acceptance = canApprove ? acceptanceNeeded(view.verification) : undefined;
  return deps.cards.render('escalation', {
    requestId: record.id,
    userIds,
    title: t('Temporary Access Pass for ${targetName}', { targetName: plain(record.target.name) }),
    targetName: plain(record.target.name),
    stateLabel: LOOK[record.state].label(),
    style: LOOK[record.state].style,
    status: plain(readerState(record), 1000),
    notice: view.notice ? plain(inReaderWords(view.notice), 1000) : '',
    delivery:
      viewer.delivery ??
      (isRequester && record.state === 'denied'
        ? t(
            'Next: talk to ${name} about the reason. Once it is sorted out, file a new request; this one cannot be approved any more.',
            { name: plain(record.deniedBy?.name ?? t('the approver')) },
          )
        : ''),
    facts,
    canDecide: view.canDecide,
    canApprove,
    approveNow: canApprove && !acceptance,
    approveAfterConfirm: acceptance !== undefined,
    acceptKind: acceptance ?? '',
    acceptTitle:
      acceptance === 'failed' ? t('Approve although verification failed') : t('Approve without a verified caller'),
    acceptText:
      acceptance === 'failed'
        ? t(
            'Caller verification failed: ${failure} Approving now gives ${name} a pass without that proof. You accept the failed verification, and the audit trail records that you did.',
            { failure: plain(view.verification?.failure ?? ''), name: plain(record.target.name) },
          )
        : acceptance
          ? t(
              'The caller has not proved with Verified ID and Face Check that they are ${name}. Approving now gives a pass on the agent’s word alone. You accept that, and the audit trail records that you did.',
              { name: plain(record.target.name) },
            )
          : '',
    canCancel: isRequester && (record.state === 'requested' || record.state === 'approved'),
    passSettings: view.canDecide ? describeSettings(view.passSettings) : '',
    canVerify:
      isRequester &&
      record.state === 'requested' &&
      view.verification !== undefined &&
      view.verification.policy !== 'off' &&
      !view.verification.passed,
    verificationNote: verificationNote(record, view.verification),
  });
}
