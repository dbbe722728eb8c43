import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, CardFactory, type TurnContext } from 'botbuilder';
import type { BotAuthConfig } from '../config.js';
import type { Directory } from '../directory/directory.js';
import { GraphRequestError } from '../directory/graph.js';
import type { Logger } from '../log.js';
import { errorSummary } from '../server.js';
import { BadActionData, readActionData } from './action-data.js';
import { NotAnOrganisationUser, whoIsAsking, type Asker } from './asker.js';
import { CardTemplates, plain, type AdaptiveCard } from './cards.js';
import { CHECK_PATTERN, eligibilityCard, queryFromMessage, userEligibilityCard } from './check.js';
import { parseUserQuery } from '../directory/users.js';

export type AppTurnState = TurnState;

export interface BotDependencies {
  cards: CardTemplates;
  directory: Directory;
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
  const { cards, directory, log } = deps;
  const app = new Application<AppTurnState>({ adapter, removeRecipientMention: true, startTypingTimer: false });

  const welcome = () => cards.render('welcome', { title: 'Hi, I am the account recovery helper' });
  const reply = (context: TurnContext, card: AdaptiveCard) => context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });

  /** Message handlers: who is asking is resolved once; failures become a card that says what happened. */
  const onMessage = (handler: (context: TurnContext, asker: Asker) => Promise<AdaptiveCard>) => async (context: TurnContext) => {
    await reply(context, await answer(context, (asker) => handler(context, asker)));
  };
  /** Invoke handlers always return a valid card, including when something failed. */
  const onAction = <T>(handler: (context: TurnContext, asker: Asker, data: T) => Promise<AdaptiveCard>) =>
    async (context: TurnContext, _state: AppTurnState, data: T) => answer(context, (asker) => handler(context, asker, data));

  async function answer(context: TurnContext, produce: (asker: Asker) => Promise<AdaptiveCard>): Promise<AdaptiveCard> {
    try {
      return await produce(await whoIsAsking(context, directory));
    } catch (error) {
      return failureCard(context, error);
    }
  }

  function failureCard(context: TurnContext, error: unknown): AdaptiveCard {
    const reference = context.activity.id ?? '';
    if (error instanceof NotAnOrganisationUser) {
      return cards.render('notice', { title: 'I can only help people in your organisation', message: 'Sign in to Teams with your work account and try again.' });
    }
    if (error instanceof BadActionData) {
      log.warn({ activityId: reference, problem: error.message }, 'refused card action data');
      return errorCard(cards, reference, `That button sent something I cannot accept (${plain(error.message)}). Nothing was changed.`, 'That did not work');
    }
    if (error instanceof GraphRequestError) {
      log.warn({ err: errorSummary(error), activityId: reference }, 'directory read failed');
      return errorCard(cards, reference, directoryTrouble(error), 'I could not read the directory');
    }
    log.error({ err: errorSummary(error), activityId: reference, type: context.activity.type }, 'turn failed');
    return errorCard(cards, reference);
  }

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    const botWasAdded = context.activity.membersAdded?.some((m) => m.id === botId);
    if (botWasAdded) await reply(context, welcome());
  });

  app.message(/^\s*(hi|hello|hey|help|start|menu|\?)\s*[.!]*\s*$/i, async (context) => {
    await reply(context, welcome());
  });

  app.message(CHECK_PATTERN, onMessage(async (context, asker) => {
    const typed = (context.activity.text ?? '').replace(CHECK_PATTERN, '').trim();
    return eligibilityCard(deps, asker, await queryFromMessage(context), typed);
  }));

  app.adaptiveCards.actionExecute('check', onAction(async (_context, asker, data) => {
    const { target } = readActionData(data, { target: { kind: 'text', maxLength: 256 }, source: { kind: 'text', maxLength: 20 } });
    return eligibilityCard(deps, asker, parseUserQuery(target ?? ''), target ?? '');
  }));

  app.adaptiveCards.actionExecute('check.refresh', onAction(async (_context, asker, data) => {
    const { userId } = readActionData(data, { userId: { kind: 'guid', required: true } });
    const [user] = await directory.findUsers({ kind: 'id', id: userId! });
    if (!user) return cards.render('notice', { title: 'No such user in this tenant', message: 'That account no longer exists.' });
    return userEligibilityCard(deps, asker, user);
  }));

  // Catch-all for text: anything no route understood gets a helpful card, never silence.
  app.activity(ActivityTypes.Message, async (context) => {
    const said = (context.activity.text ?? '').trim();
    await reply(context, said ? cards.render('help', { said: plain(said, 200) }) : welcome());
  });

  app.error(async (context, error) => {
    const reference = context.activity.id ?? '';
    log.error({ err: errorSummary(error), activityId: reference, type: context.activity.type }, 'turn failed');
    if (context.activity.type === ActivityTypes.Message) {
      await reply(context, errorCard(cards, reference)).catch(() => undefined);
    }
  });

  return app;
}

function directoryTrouble(error: GraphRequestError): string {
  if (error.isPermissionDenied) return 'The bot is missing a Microsoft Graph permission for this. Nothing was changed; tell your Teams administrator.';
  if (error.isThrottled) return 'Microsoft Graph is busy (throttling). Nothing was changed; try again in a minute.';
  if (error.status === 0) return 'Microsoft Graph could not be reached. Nothing was changed; try again in a minute.';
  return `Microsoft Graph answered ${error.status}. Nothing was changed; try again in a minute.`;
}

export function errorCard(cards: CardTemplates, reference: string, message?: string, title?: string): AdaptiveCard {
  return cards.render('error', {
    title: title ?? 'Something went wrong on my side',
    message: message ?? 'Nothing was changed. Please try again in a minute; if it keeps happening, tell the helpdesk.',
    reference: plain(reference, 100),
  });
}
