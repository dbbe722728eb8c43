import type { Notice, OutcomeMessenger } from '../app/notify-outcome.js';
import type { EscalationRecord } from '../escalation/state-machine.js';
import type { Logger } from '../log.js';
import { ConflictError, type DocumentStore } from '../storage/store.js';
import { type CardTemplates, plain } from './cards.js';
import type { ConversationBook } from './conversations.js';
import { escalationCard } from './escalation.js';

/** Which message in whose 1:1 chat holds each approval card: ids only, so the card can be replaced once decided. */
export const APPROVAL_CARDS = 'approval-cards';

interface ApprovalCardEntry {
  requestId: string;
  approverId: string;
  activityId: string;
}

/** The approval cards sent for each request, kept in the store so any instance can update them. */
export class ApprovalCardLedger {
  constructor(private readonly store: DocumentStore) {}

  async remember(record: EscalationRecord, approverId: string, activityId: string): Promise<void> {
    if (!activityId) return;
    const entry: ApprovalCardEntry = { requestId: record.id, approverId, activityId };
    try {
      await this.store.create(APPROVAL_CARDS, `${record.tenantId}:${record.id}:${approverId.toLowerCase()}`, entry);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  async cardsFor(record: EscalationRecord): Promise<ApprovalCardEntry[]> {
    return (
      await this.store.list<ApprovalCardEntry>(APPROVAL_CARDS, { prefix: `${record.tenantId}:${record.id}:` })
    ).map((d) => d.value);
  }
}

/** Outcome notices and card updates as proactive Teams messages, only ever to one person's 1:1 chat. */
export class TeamsOutcomeMessenger implements OutcomeMessenger {
  constructor(
    private readonly deps: { book: ConversationBook; cards: CardTemplates; ledger: ApprovalCardLedger; log: Logger },
  ) {}

  async notify(tenantId: string, userId: string, notice: Notice): Promise<'delivered' | 'no-chat'> {
    const card = this.deps.cards.render('outcome-notice', {
      title: plain(notice.title),
      message: plain(notice.message, 2000),
      facts: notice.facts.map((f) => ({ title: plain(f.title), value: plain(f.value) })),
    });
    const sent = await this.deps.book.send(tenantId, userId, card);
    return sent === undefined ? 'no-chat' : 'delivered';
  }

  /** Each approver's card shows the decided request (who decided, why), with no buttons left to press. */
  async updateApprovalCards(record: EscalationRecord): Promise<void> {
    for (const entry of await this.deps.ledger.cardsFor(record)) {
      try {
        const viewerChatId = await this.deps.book.chatUserId(record.tenantId, entry.approverId);
        const card = await escalationCard(
          this.deps,
          { record, canDecide: false },
          { viewerId: entry.approverId, viewerChatId },
        );
        await this.deps.book.update(record.tenantId, entry.approverId, entry.activityId, card);
      } catch (error) {
        this.deps.log.warn(
          { requestId: record.id, approverId: entry.approverId, err: (error as Error).name },
          'approval card not updated',
        );
      }
    }
  }
}
