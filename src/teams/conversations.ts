import type { TeamsAdapter } from '@microsoft/teams-ai';
import { CardFactory, type ConversationReference, TurnContext } from 'botbuilder';
import { tenantOf } from '../activity.js';
import { COLLECTIONS, keys } from '../storage/collections.js';
import { ConflictError, type DocumentStore } from '../storage/store.js';
import type { AdaptiveCard } from './cards.js';
import { type Reader, readerOf } from './locale.js';

/**
 * Where each person's 1:1 chat with the bot is, so the bot can write to them first (approval
 * cards, the pass). Only personal chats are kept: nothing proactive ever goes to a group or channel.
 */
export class PersonalChats {
  /** What was last saved per key, so an unchanged reference costs no write. */
  private readonly saved = new Map<string, string>();

  constructor(
    private readonly store: DocumentStore,
    private readonly adapter: TeamsAdapter,
    /** '' in local mode, where the adapter signs nothing. */
    private readonly botAppId: string,
  ) {}

  /** Call on every activity: remembers the sender's 1:1 chat when this is one. */
  async remember(context: TurnContext): Promise<void> {
    const { activity } = context;
    const userId = activity.from?.aadObjectId;
    const tenantId = tenantOf(activity);
    if (activity.conversation?.conversationType !== 'personal' || !userId || !tenantId) return;
    const reference = TurnContext.getConversationReference(activity);
    delete reference.activityId;
    const key = keys.conversation(tenantId, userId);
    const json = JSON.stringify(reference);
    if (this.saved.get(key) === json) return;
    const current = await this.store.get<Partial<ConversationReference>>(COLLECTIONS.conversations, key);
    try {
      if (!current) await this.store.create(COLLECTIONS.conversations, key, reference);
      else if (JSON.stringify(current.value) !== json)
        await this.store.replace(COLLECTIONS.conversations, key, reference, current.etag);
    } catch (error) {
      // Someone saved the same chat a moment ago: theirs is as good as ours.
      if (!(error instanceof ConflictError)) throw error;
    }
    this.saved.set(key, json);
  }

  async has(tenantId: string, userId: string): Promise<boolean> {
    return (await this.reference(tenantId, userId)) !== undefined;
  }

  /**
   * Sends a card to the person's 1:1 chat; returns the message id, or undefined when they have none.
   * Throws when the Bot Connector refused it (404 ConversationNotFound when the app was uninstalled,
   * a 5xx): teams-ai installs its error handler as the adapter's onTurnError, which would otherwise
   * swallow an error thrown inside continueConversationAsync and make a lost message look sent.
   * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages
   */
  async send(tenantId: string, userId: string, card: AdaptiveCard): Promise<string | undefined> {
    const reference = await this.reference(tenantId, userId);
    if (!reference) return undefined;
    let sent: { id?: string } | undefined;
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
      try {
        sent = await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined) throw new ProactiveSendFailed(failure);
    if (!sent) throw new ProactiveSendFailed(new Error('the Bot Connector returned no message'));
    return sent.id ?? '';
  }

  /** Replaces a message the bot sent to the person's 1:1 chat (an approval card, once decided); false when they have no chat. */
  async update(tenantId: string, userId: string, activityId: string, card: AdaptiveCard): Promise<boolean> {
    const reference = await this.reference(tenantId, userId);
    if (!reference) return false;
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
      await context.updateActivity({ id: activityId, type: 'message', attachments: [CardFactory.adaptiveCard(card)] });
    });
    return true;
  }

  /**
   * Whom a card written to this person first is for: the language of their chat's last activity
   * (the reference keeps its locale); UTC, since a reference keeps no time zone.
   */
  async reader(tenantId: string, userId: string): Promise<Reader> {
    return readerOf({ locale: (await this.reference(tenantId, userId))?.locale });
  }

  /** The person's chat id in Teams (29:…), which refresh.userIds needs. */
  async chatUserId(tenantId: string, userId: string): Promise<string | undefined> {
    return (await this.reference(tenantId, userId))?.user?.id;
  }

  private async reference(tenantId: string, userId: string): Promise<Partial<ConversationReference> | undefined> {
    const stored = await this.store.get<Partial<ConversationReference>>(
      COLLECTIONS.conversations,
      keys.conversation(tenantId, userId),
    );
    return stored?.value.conversation?.conversationType === 'personal' ? stored.value : undefined;
  }
}

/** A proactive message the Bot Connector did not take; `status` is its HTTP status when it answered. */
export class ProactiveSendFailed extends Error {
  override name = 'ProactiveSendFailed';
  readonly status: number | undefined;
  constructor(cause: unknown) {
    const status =
      typeof (cause as { statusCode?: unknown })?.statusCode === 'number'
        ? (cause as { statusCode: number }).statusCode
        : undefined;
    super(
      status
        ? `the Bot Connector answered ${status}`
        : `the message could not be sent (${(cause as Error)?.name ?? 'error'})`,
    );
    this.status = status;
  }
}
