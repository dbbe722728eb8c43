import type { Application, TeamsAdapter } from '@microsoft/teams-ai';
import { CardFactory, type ConversationReference, TurnContext } from 'botbuilder';
import { tenantOf } from '../activity.js';
import { errorSummary, type Logger } from '../log.js';
import type { RecoveryAttempt } from '../recovery-extension/attempts.js';
import { COLLECTIONS, keys } from '../storage/collections.js';
import { ConflictError, type DocumentStore } from '../storage/store.js';
import type { CardTemplates } from './cards.js';
import { claimValidationView } from './claim-validation-views.js';
import { t } from './locale.js';
import type { Turns } from './turn.js';

export const FEED_ON = /^\s*recovery\s+feed\s+(?:here|on)\s*[.!]*\s*$/i;
export const FEED_OFF = /^\s*recovery\s+feed\s+(?:off|stop)\s*[.!]*\s*$/i;

/**
 * "recovery feed here" in a team channel (by a helpdesk agent) posts every claim validation attempt
 * there: user, pass or failed, failed claim NAMES, correlation id, what to do. The attempt record
 * holds no claim value, so the channel never sees one.
 */
export class RecoveryFeed {
  constructor(
    private readonly store: DocumentStore,
    private readonly adapter: TeamsAdapter,
    /** '' in local mode, where the adapter signs nothing. */
    private readonly botAppId: string,
    private readonly cards: CardTemplates,
    private readonly log: Logger,
  ) {}

  async subscribe(context: TurnContext): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity);
    delete reference.activityId;
    try {
      await this.store.create(COLLECTIONS.recoveryFeeds, keyOf(context), reference);
    } catch (error) {
      // Already on: asking twice changes nothing.
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  unsubscribe(context: TurnContext): Promise<void> {
    return this.store.delete(COLLECTIONS.recoveryFeeds, keyOf(context));
  }

  /** Posts the attempt to every channel of its tenant that asked; a channel that fails is logged, not retried. */
  async post(attempt: RecoveryAttempt): Promise<void> {
    const feeds = await this.store.list<Partial<ConversationReference>>(COLLECTIONS.recoveryFeeds, {
      prefix: keys.recoveryFeedsOf(attempt.tenantId),
    });
    // Most attempts go to no channel: render nothing then.
    if (feeds.length === 0) return;
    const view = claimValidationView(attempt);
    const card = this.cards.render('recovery-attempt', {
      ...view,
      title: t('Recovery attempt: ${user}', { user: view.user }),
      checkTitle: t('Check ${user}', { user: view.user }),
    });
    await Promise.all(
      feeds.map(({ value: reference }) =>
        this.adapter
          .continueConversationAsync(this.botAppId, reference, async (context) => {
            await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
          })
          .catch((error) =>
            this.log.warn({ err: errorSummary(error) }, 'could not post a recovery attempt to a channel'),
          ),
      ),
    );
  }
}

const keyOf = (context: TurnContext) =>
  keys.recoveryFeed(`${tenantOf(context.activity)}`, context.activity.conversation.id);

export function registerRecoveryFeedRoutes(
  app: Application,
  turns: Turns,
  deps: { feed?: RecoveryFeed; cards: CardTemplates },
): void {
  const notice = (title: string, message: string) => deps.cards.render('notice', { title, message });
  const feedCommand = (on: boolean) =>
    turns.onMessage(
      on ? 'recovery-feed.on' : 'recovery-feed.off',
      async (context, asker) => {
        const title = t('Recovery feed');
        if (!deps.feed)
          return notice(title, t('Claim validation is not turned on here (RECOVERY_CLAIMS_SOURCE is not set).'));
        if (!asker.isHelpdeskAgent) return notice(title, t('Only helpdesk agents can change the recovery feed.'));
        if (context.activity.conversation?.conversationType !== 'channel')
          return notice(title, t('Type "recovery feed here" in a team channel where this app is installed.'));
        if (!on) {
          await deps.feed.unsubscribe(context);
          return notice(title, t('Recovery attempts are no longer posted in this channel.'));
        }
        await deps.feed.subscribe(context);
        return notice(
          title,
          t('Recovery attempts will appear in this channel as they happen. Type "recovery feed off" to stop.'),
        );
        // A channel command: its answer names nobody, and only an agent's own standing may switch it.
      },
      { namesNobody: true },
    );
  app.message(FEED_ON, feedCommand(true));
  app.message(FEED_OFF, feedCommand(false));
}
