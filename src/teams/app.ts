import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { BotAuthConfig } from '../config.js';
import type { Logger } from '../log.js';
import { errorSummary } from '../server.js';
import { CardTemplates, plain, type AdaptiveCard } from './cards.js';

export type AppTurnState = TurnState;

export interface BotDependencies {
  cards: CardTemplates;
  log: Logger;
}

export function createAdapter(botAuth: BotAuthConfig | undefined): TeamsAdapter {
  if (!botAuth) return new TeamsAdapter();
  return new TeamsAdapter({
    MicrosoftAppId: botAuth.appId,
    MicrosoftAppPassword: botAuth.password,
    MicrosoftAppType: botAuth.appType,
    MicrosoftAppTenantId: botAuth.tenantId,
  });
}

/**
 * The one Application: routes registered by intent, each handler a few lines that ask the core
 * and render a card. Order matters: the first matching route wins, the catch-all comes last.
 */
export function createBot(adapter: TeamsAdapter, deps: BotDependencies): Application<AppTurnState> {
  const { cards, log } = deps;
  const app = new Application<AppTurnState>({ adapter, removeRecipientMention: true, startTypingTimer: false });

  const welcome = () => cards.attachment('welcome', { title: 'Hi, I am the account recovery helper' });

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    const botWasAdded = context.activity.membersAdded?.some((m) => m.id === botId);
    if (botWasAdded) await context.sendActivity({ attachments: [welcome()] });
  });

  app.message(/^\s*(hi|hello|hey|help|start|menu|\?)\s*[.!]*\s*$/i, async (context) => {
    await context.sendActivity({ attachments: [welcome()] });
  });

  // Catch-all for text: anything no route understood gets a helpful card, never silence.
  app.activity(ActivityTypes.Message, async (context) => {
    const said = (context.activity.text ?? '').trim();
    if (!said) {
      await context.sendActivity({ attachments: [welcome()] });
      return;
    }
    await context.sendActivity({ attachments: [cards.attachment('help', { said: plain(said, 200) })] });
  });

  app.error(async (context, error) => {
    const reference = context.activity.id ?? '';
    log.error({ err: errorSummary(error), activityId: reference, type: context.activity.type }, 'turn failed');
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity({ attachments: [errorCardAttachment(cards, reference)] }).catch(() => undefined);
    }
  });

  return app;
}

export function errorCard(cards: CardTemplates, reference: string, message?: string): AdaptiveCard {
  return cards.render('error', {
    title: 'Something went wrong on my side',
    message: message ?? 'Nothing was changed. Please try again in a minute; if it keeps happening, tell the helpdesk.',
    reference: plain(reference, 100),
  });
}

function errorCardAttachment(cards: CardTemplates, reference: string) {
  return { contentType: 'application/vnd.microsoft.card.adaptive', content: errorCard(cards, reference) };
}

export type { TurnContext };
