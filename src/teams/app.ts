import { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes } from 'botbuilder';
import type { BotAuthConfig } from '../config.js';
import type { Directory } from '../directory/directory.js';
import type { Logger } from '../log.js';
import { errorSummary } from '../server.js';
import { plain, type CardTemplates } from './cards.js';
import { registerCheckRoutes } from './check.js';
import type { ConversationBook } from './conversations.js';
import { registerEscalationRoutes } from './escalation.js';
import type { EscalationService } from '../escalation/escalations.js';
import { registerDiagnosisRoutes } from './diagnosis.js';
import { registerGuideRoutes } from './guide.js';
import { registerReadinessRoutes } from './readiness.js';
import type { Catalogue } from '../diagnosis/catalogue.js';
import { createTurnKit } from './turn.js';

export type AppTurnState = TurnState;

export interface BotDependencies {
  cards: CardTemplates;
  directory: Directory;
  catalogue: Catalogue;
  escalations: EscalationService;
  book: ConversationBook;
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
  const app = new Application<AppTurnState>({ adapter, removeRecipientMention: true });
  const kit = createTurnKit(cards, directory, log);
  const welcome = () => cards.render('welcome', { title: 'Hi, I am the account recovery helper' });

  // Every 1:1 activity (install included) keeps the person's chat reachable for approval cards and the pass.
  app.turn('beforeTurn', async (context) => {
    await deps.book.remember(context).catch((error) => log.warn({ err: errorSummary(error) }, 'could not save the conversation reference'));
    return true;
  });

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    const botWasAdded = context.activity.membersAdded?.some((m) => m.id === botId);
    if (botWasAdded) await kit.reply(context, welcome());
  });

  app.message(/^\s*(hi|hello|hey|help|start|menu|\?)\s*[.!]*\s*$/i, async (context) => {
    await kit.reply(context, welcome());
  });

  // A pasted error wins over everything else, so "Can't sign in: AADSTS50053" is diagnosed, not looked up.
  registerDiagnosisRoutes(app, kit, { directory, catalogue: deps.catalogue });
  registerGuideRoutes(app, kit, directory);
  registerCheckRoutes(app, kit, { directory, cards });
  registerReadinessRoutes(app, kit, { directory, cards, log });
  registerEscalationRoutes(app, kit, { directory, cards, escalations: deps.escalations, book: deps.book });

  // Catch-all for text: anything no route understood gets a helpful card, never silence.
  app.activity(ActivityTypes.Message, async (context) => {
    const said = (context.activity.text ?? '').trim();
    await kit.reply(context, said ? cards.render('help', { said: plain(said, 200) }) : welcome());
  });

  // Invokes no route claimed (a button from an older card version, a forged verb, an invoke this
  // bot does not support): a card that says so, or a 400, never the SDK's 501.
  app.activity(ActivityTypes.Invoke, async (context) => {
    const isCardAction = context.activity.name === 'adaptiveCard/action';
    log.warn({ activityId: context.activity.id, name: String(context.activity.name ?? '').slice(0, 64) }, 'unhandled invoke');
    const body = isCardAction
      ? {
          statusCode: 200,
          type: 'application/vnd.microsoft.card.adaptive',
          value: kit.errorCard('', 'That button is not something I can do (it may come from an older version of this card). Nothing was changed.', 'That did not work'),
        }
      : { error: { code: 'UnsupportedInvoke', message: 'This bot does not handle that invoke.' } };
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: isCardAction ? 200 : 400, body } });
  });

  app.error(async (context, error) => {
    const reference = context.activity.id ?? '';
    log.error({ err: errorSummary(error), activityId: reference, type: context.activity.type }, 'turn failed');
    if (context.activity.type === ActivityTypes.Message) {
      await kit.reply(context, kit.errorCard(reference)).catch(() => undefined);
    }
  });

  return app;
}
