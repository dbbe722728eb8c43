import type { EscalationRecord } from '../escalation/state-machine.js';
import { COLLECTIONS, keys } from '../storage/collections.js';
import { ConflictError, type DocumentStore } from '../storage/store.js';

/**
 * One live card per request in each person's 1:1 chat: the requester's status card and each
 * approver's approval card. Which message holds it is kept here (ids only), so whichever instance
 * moves the request replaces each card in place (Bot Framework updateActivity) instead of stacking
 * a new one. https://learn.microsoft.com/microsoftteams/platform/bots/how-to/update-and-delete-bot-messages
 */

export type LiveCardRole = 'requester' | 'approver';

export interface LiveCard {
  requestId: string;
  personId: string;
  /** Shown on the agent's card: who has the request now. */
  name?: string;
  activityId: string;
  role: LiveCardRole;
}

/** As stored: entries written before requester cards were kept name the person `approverId`. */
type StoredLiveCard = Omit<LiveCard, 'personId' | 'role'> & {
  personId?: string;
  approverId?: string;
  role?: LiveCardRole;
};

const keyOf = (record: Pick<EscalationRecord, 'tenantId' | 'id'>, personId: string) =>
  keys.liveCard(record.tenantId, record.id, personId);

export class LiveCardIndex {
  constructor(private readonly store: DocumentStore) {}

  /** This message is now the person's live card for the request (a newer one replaces the older). */
  async remember(
    record: EscalationRecord,
    person: { id: string; name?: string },
    activityId: string,
    role: LiveCardRole,
  ): Promise<void> {
    if (!activityId) return;
    const personId = person.id;
    const entry: LiveCard = {
      requestId: record.id,
      personId,
      activityId,
      role,
      ...(person.name && { name: person.name }),
    };
    const key = keyOf(record, personId);
    try {
      await this.store.create(COLLECTIONS.liveCards, key, entry);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const current = await this.store.get<StoredLiveCard>(COLLECTIONS.liveCards, key);
      if (current && current.value.activityId !== activityId)
        await this.store.replace(COLLECTIONS.liveCards, key, entry, current.etag).catch((replaceError: unknown) => {
          // Someone remembered a card for this person a moment ago: theirs is as new as ours.
          if (!(replaceError instanceof ConflictError)) throw replaceError;
        });
    }
  }

  async cardsFor(record: EscalationRecord): Promise<LiveCard[]> {
    const stored = await this.store.list<StoredLiveCard>(COLLECTIONS.liveCards, {
      prefix: keys.liveCardsOf(record.tenantId, record.id),
    });
    return stored.map(({ value }) => ({
      requestId: value.requestId,
      activityId: value.activityId,
      personId: value.personId ?? value.approverId ?? '',
      ...(value.name && { name: value.name }),
      role: value.role ?? 'approver',
    }));
  }

  async cardOf(record: EscalationRecord, personId: string): Promise<LiveCard | undefined> {
    const stored = await this.store.get<StoredLiveCard>(COLLECTIONS.liveCards, keyOf(record, personId));
    return stored && { ...stored.value, personId, role: stored.value.role ?? 'approver' };
  }
}
