import type { TeamsAdapter } from '@microsoft/teams-ai';
import { CardFactory, type ConversationReference, TurnContext } from 'botbuilder';
import { tenantOf } from '../activity.js';
import { COLLECTIONS, keys } from '../storage/collections.js';
import { ConflictError, type DocumentStore } from '../storage/store.js';
import type { AdaptiveCard } from './cards.js';
import { type Reader, readerOf, timeZoneOf } from './locale.js';

/** A 1:1 chat as kept: its Bot Framework conversation reference and the time zone its client last named. */
type SavedChat = Partial<ConversationReference> & { timeZone?: string };

/**
 * Installs the bot's Teams app for a person through Graph and finds their 1:1 chat with it
 * (src/directory/teams-app-installation.ts); absent unless the deployment turned it on.
 */
export interface AppInstaller {
  installFor(userId: string): Promise<{ chatId: string } | { problem: string }>;
}

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
    /** Proactive installation (TEAMS_APP_CATALOG_ID): for people who never opened the app. */
    private readonly installer?: AppInstaller,
  ) {}

  /** Call on every activity: remembers the sender's 1:1 chat when this is one. */
  async remember(context: TurnContext): Promise<void> {
    const { activity } = context;
    const userId = activity.from?.aadObjectId;
    const tenantId = tenantOf(activity);
    if (activity.conversation?.conversationType !== 'personal' || !userId || !tenantId) return;
    // Uninstalled: the chat is gone, and Teams will refuse anything sent there (installationUpdate, action remove).
    // https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/subscribe-to-conversation-events#installation-update-event
    if (activity.type === 'installationUpdate' && activity.action === 'remove') {
      await this.forget(tenantId, userId);
      return;
    }
    const reference: SavedChat = TurnContext.getConversationReference(activity);
    delete reference.activityId;
    const key = keys.conversation(tenantId, userId);
    // The zone the person's client last named, so a card written to them first is on their clock too.
    const zone = timeZoneOf(activity);
    if (zone) reference.timeZone = zone;
    const json = JSON.stringify(reference);
    if (this.saved.get(key) === json) return;
    const current = await this.store.get<SavedChat>(COLLECTIONS.conversations, key);
    if (!zone && current?.value.timeZone) reference.timeZone = current.value.timeZone;
    try {
      if (!current) await this.store.create(COLLECTIONS.conversations, key, reference);
      else if (JSON.stringify(current.value) !== JSON.stringify(reference))
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
   * Makes sure the bot can write to the person first: undefined when they have a 1:1 chat (already,
   * or now that the app was installed for them), '' when they have none and proactive installation
   * is off, else why the app could not be installed for them, in words.
   *
   * Installed through Graph, the chat's id is the conversation id the bot sends to: "If you don't
   * have the conversationId, you can proactively install your app using Graph to get the
   * conversationId" (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages#create-the-conversation),
   * retrieved as "Retrieve the conversation chatId" says
   * (https://learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages#retrieve-the-conversation-chatid).
   * A reference also needs the tenant's serviceUrl and the bot's account, taken from a chat already
   * saved in the tenant ("To create the conversation, you need an aadObjectId or userId, tenantId,
   * and serviceUrl": https://learn.microsoft.com/training/modules/build-microsoft-teams-bot-apps/7-send-proactive-messages).
   * The conversationUpdate Teams sends on installation replaces it with the full reference (remember).
   */
  async reach(tenantId: string, userId: string): Promise<string | undefined> {
    if (await this.has(tenantId, userId)) return undefined;
    if (!this.installer) return '';
    const [known] = await this.store.list<SavedChat>(COLLECTIONS.conversations, {
      prefix: keys.conversationsOf(tenantId),
      limit: 1,
    });
    const { serviceUrl, bot, channelId } = known?.value ?? {};
    if (!serviceUrl || !bot)
      return 'nobody in this tenant has written to the bot yet, so it has no Teams address to use';
    const installed = await this.installer.installFor(userId);
    if ('problem' in installed) return installed.problem;
    const reference: SavedChat = {
      channelId: channelId ?? 'msteams',
      serviceUrl,
      bot,
      conversation: { id: installed.chatId, conversationType: 'personal', tenantId, isGroup: false, name: '' },
    };
    try {
      await this.store.create(COLLECTIONS.conversations, keys.conversation(tenantId, userId), reference);
    } catch (error) {
      // Teams' installation event saved the chat a moment ago: that reference is the fuller one.
      if (!(error instanceof ConflictError)) throw error;
    }
    return undefined;
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
    if (failure !== undefined) throw await this.forgetIfGone(tenantId, userId, new ProactiveSendFailed(failure));
    if (!sent) throw new ProactiveSendFailed(new Error('the Bot Connector returned no message'));
    return sent.id ?? '';
  }

  /** The person uninstalled the app (installationUpdate remove) or Teams said their chat is gone: nothing is sent there again until they come back. */
  async forget(tenantId: string, userId: string): Promise<void> {
    const key = keys.conversation(tenantId, userId);
    this.saved.delete(key);
    await this.store.delete(COLLECTIONS.conversations, key);
  }

  private async forgetIfGone(
    tenantId: string,
    userId: string,
    error: ProactiveSendFailed,
  ): Promise<ProactiveSendFailed> {
    if (error.gone) await this.forget(tenantId, userId).catch(() => undefined);
    return error;
  }

  /** Replaces a message the bot sent to the person's 1:1 chat (an approval card, once decided); false when they have no chat. */
  async update(tenantId: string, userId: string, activityId: string, card: AdaptiveCard): Promise<boolean> {
    const reference = await this.reference(tenantId, userId);
    if (!reference) return false;
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
      try {
        await context.updateActivity({
          id: activityId,
          type: 'message',
          attachments: [CardFactory.adaptiveCard(card)],
        });
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined) throw await this.forgetIfGone(tenantId, userId, new ProactiveSendFailed(failure));
    return true;
  }

  /**
   * Whom a card written to this person first is for: the language of their chat's last activity
   * (the reference keeps its locale) and the time zone their client last named; else UTC.
   */
  async reader(tenantId: string, userId: string): Promise<Reader> {
    const saved = await this.reference(tenantId, userId);
    return readerOf({ locale: saved?.locale, localTimezone: saved?.timeZone });
  }

  /** The person's chat id in Teams (29:…), which refresh.userIds needs. */
  async chatUserId(tenantId: string, userId: string): Promise<string | undefined> {
    return (await this.reference(tenantId, userId))?.user?.id;
  }

  private async reference(tenantId: string, userId: string): Promise<SavedChat | undefined> {
    const stored = await this.store.get<SavedChat>(COLLECTIONS.conversations, keys.conversation(tenantId, userId));
    return stored?.value.conversation?.conversationType === 'personal' ? stored.value : undefined;
  }
}

/**
 * Why Teams would not deliver, in the agent's words, per documented code; the ones marked `gone`
 * mean this chat will not take messages again until the person reinstalls or unblocks the app.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages#status-code-responses
 */
const CONNECTOR_CODES: Record<string, { words: string; gone: boolean }> = {
  ConversationBlockedByUser: { words: 'they blocked the app in Teams', gone: true },
  BotNotInConversationRoster: { words: 'the app is no longer in their chat', gone: true },
  ForbiddenOperationException: { words: 'the app is not installed for them in Teams', gone: true },
  ConversationNotFound: { words: 'their chat with the app is gone (the app was uninstalled)', gone: true },
  BotDisabledByAdmin: { words: 'a Teams administrator disabled the app in this tenant', gone: false },
  Throttled: { words: 'Teams asked the bot to slow down', gone: false },
  MessageSizeTooBig: { words: 'the message was too large', gone: false },
};

/** The error code in the Bot Connector's answer ({ error: { code } }), wherever the client put it. */
function connectorCode(cause: unknown): string | undefined {
  const error = cause as {
    code?: unknown;
    body?: { error?: { code?: unknown } };
    details?: { error?: { code?: unknown } };
    response?: { parsedBody?: { error?: { code?: unknown } }; bodyAsText?: unknown };
  };
  const candidates = [error?.body?.error?.code, error?.details?.error?.code, error?.response?.parsedBody?.error?.code];
  if (typeof error?.response?.bodyAsText === 'string') {
    try {
      candidates.push(JSON.parse(error.response.bodyAsText)?.error?.code);
    } catch {
      // not JSON: no code
    }
  }
  if (typeof error?.code === 'string' && error.code in CONNECTOR_CODES) candidates.push(error.code);
  return candidates.find((code): code is string => typeof code === 'string' && /^[A-Za-z]{1,64}$/.test(code));
}

/** A proactive message the Bot Connector did not take; `status` is its HTTP status and `code` its documented code, when it answered. */
export class ProactiveSendFailed extends Error {
  override name = 'ProactiveSendFailed';
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** The person's chat will not take messages again (blocked, uninstalled, gone): its reference is dropped. */
  readonly gone: boolean;
  constructor(cause: unknown) {
    const status =
      typeof (cause as { statusCode?: unknown })?.statusCode === 'number'
        ? (cause as { statusCode: number }).statusCode
        : undefined;
    const code = connectorCode(cause);
    const known = code ? CONNECTOR_CODES[code] : undefined;
    super(
      status
        ? `the Bot Connector answered ${status}${code ? ` ${code}` : ''}${known ? `: ${known.words}` : ''}`
        : `the message could not be sent (${(cause as Error)?.name ?? 'error'})`,
    );
    this.status = status;
    this.code = code;
    this.gone = known?.gone ?? false;
  }
}
