import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { AskHelpdesk } from '../app/ask-helpdesk.js';
import type { AttemptReader } from '../app/check.js';
import type { EscalationService } from '../app/escalations.js';
import type { VerifyCaller } from '../app/verify-caller.js';
import type { BotAuthConfig, HelpdeskContact } from '../config.js';
import type { Catalogue } from '../diagnosis/catalogue.js';
import { MAX_EXTRACT_CHARS } from '../diagnosis/extract.js';
import type { Directory } from '../directory/directory.js';
import { errorSummary, type Logger } from '../log.js';
import type { ReadinessJobs } from '../readiness/jobs.js';
import { StoreUnavailableError } from '../storage/store.js';
import { whoIsAsking } from './asker.js';
import { type CardTemplates, plain } from './cards.js';
import { registerCheckRoutes } from './check.js';
import type { PersonalChats } from './conversations.js';
import { PASTED_ERROR, registerDiagnosisRoutes } from './diagnosis.js';
import { ESCALATE_PATTERN, REQUESTS_PATTERN, registerEscalationRoutes } from './escalation.js';
import { registerGuideRoutes } from './guide.js';
import { contactLine, registerHelpdeskRoutes } from './helpdesk.js';
import { actionResponse, healthCheckResponse, invokeResponseActivity, unsupportedInvoke } from './invoke-response.js';
import type { LiveCardIndex } from './live-cards.js';
import { currentReader, t } from './locale.js';
import { registerPeopleSearch } from './people-search.js';
import { READINESS_PATTERN, registerReadinessRoutes } from './readiness.js';
import { type RecoveryFeed, registerRecoveryFeedRoutes } from './recovery-feed.js';
import { askInPersonalChat, isSharedConversation } from './shared-chat.js';
import { createTurns, storeUnavailable } from './turn.js';
import { registerVerificationRoutes } from './verification.js';

export type AppTurnState = TurnState;

export interface BotDependencies {
  cards: CardTemplates;
  directory: Directory;
  catalogue: Catalogue;
  escalations: EscalationService;
  personalChats: PersonalChats;
  /** Where each request's live card is in each person's chat. */
  liveCards?: LiveCardIndex;
  log: Logger;
  /** Readiness reports, kept in the store so any instance can answer for them. */
  readinessJobs: ReadinessJobs;
  verifyCaller: VerifyCaller;
  /** Claim validation attempts and the channel feed; absent when the extension is off. */
  attempts?: AttemptReader;
  recoveryFeed?: RecoveryFeed;
  askHelpdesk: AskHelpdesk;
  settings: BotSettings;
  /** The bot's clock (the tests' own, so a card's waiting time agrees with the sweep's). */
  now?: () => Date;
}

/** Configuration the cards need. */
export interface BotSettings {
  /** ALLOW_PRIVILEGED_WITH_TWO_APPROVERS: Escalate is offered for someone holding a directory role. */
  allowPrivilegedPasses: boolean;
  /** HELPDESK_CONTACT: how a colleague reaches the helpdesk (a phone number, an address or a link). */
  helpdeskContact?: HelpdeskContact;
}

/** A command, a name or an address fits easily; a pasted error page may be as long as diagnosis reads. */
export const MAX_MESSAGE_CHARS = 8_000;

/** Why a message is too long to read, or undefined when it is not. */
export function messageLengthProblem(text: string): string | undefined {
  const pastedError = PASTED_ERROR.test(text);
  const limit = pastedError ? MAX_EXTRACT_CHARS : MAX_MESSAGE_CHARS;
  if (text.length <= limit) return undefined;
  const values = {
    count: text.length.toLocaleString(currentReader().locale),
    limit: limit.toLocaleString(currentReader().locale),
  };
  return pastedError
    ? t(
        'Your message has ${count} characters; I read at most ${limit} for a pasted error. Nothing was looked up. Paste just the error message with its troubleshooting details.',
        values,
      )
    : t(
        'Your message has ${count} characters; I read at most ${limit}. Nothing was looked up. Send a command such as "check adele.vance@contoso.com", or paste just the error.',
        values,
      );
}

const PERSONAL_ONLY = [ESCALATE_PATTERN, REQUESTS_PATTERN, READINESS_PATTERN];
/** Verbs whose answers name people or hold a request: escalate.*, escalation.*, pass.*, verification.*, readiness.* */
const PERSONAL_ONLY_VERB = /^(?:escalate|escalation|pass|verification|readiness)\./;

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
  // No storage: no route keeps Teams AI conversation or user state, so none is read or written per turn.
  const app = new Application<AppTurnState>({ adapter, removeRecipientMention: true });
  const turns = createTurns(cards, directory, log);
  // By role: agents see the helpdesk's commands, everyone else only what they can use.
  const welcome = async (context: TurnContext) => {
    const asker = await whoIsAsking(context, directory).catch(() => undefined);
    return cards.render('welcome', {
      title: t('Hi, I am the account recovery helper'),
      isAgent: asker?.isHelpdeskAgent === true,
      canListRequests: asker?.isHelpdeskAgent === true || asker?.isApprover === true,
      contactLine: asker?.isHelpdeskAgent ? '' : contactLine(deps.settings.helpdeskContact),
    });
  };

  // Every 1:1 activity (install included) keeps the person's chat reachable for approval cards and the pass.
  app.turn('beforeTurn', async (context) => {
    await deps.personalChats
      .remember(context)
      .catch((error) => log.warn({ err: errorSummary(error) }, 'could not save the conversation reference'));
    return true;
  });

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    const botWasAdded = context.activity.membersAdded?.some((m) => m.id === botId);
    if (botWasAdded) await turns.reply(context, await welcome(context));
  });

  // Before any route reads it: an oversized message is answered with its limit, and nothing is looked up.
  app.message(
    async (context) => messageLengthProblem(context.activity.text ?? '') !== undefined,
    async (context) => {
      const problem = messageLengthProblem(context.activity.text ?? '') ?? '';
      await turns.reply(context, cards.render('notice', { title: t('That message is too long'), message: problem }));
    },
  );

  // In a group chat, a channel or a meeting, what names people (requests, escalations, the readiness
  // report, caller verification) is answered only in a 1:1 chat, and the answer names nobody.
  app.message(
    async (context) =>
      isSharedConversation(context.activity) && PERSONAL_ONLY.some((p) => p.test(context.activity.text ?? '')),
    async (context) => {
      await turns.reply(context, cards.render('notice', askInPersonalChat()));
    },
  );
  app.addRoute(
    async (context) =>
      context.activity.type === ActivityTypes.Invoke &&
      context.activity.name === 'adaptiveCard/action' &&
      isSharedConversation(context.activity) &&
      PERSONAL_ONLY_VERB.test(String(context.activity.value?.action?.verb ?? '')),
    async (context) => {
      await context.sendActivity(invokeResponseActivity(actionResponse(cards.render('notice', askInPersonalChat()))));
    },
    true,
  );

  app.message(/^\s*(hi|hello|hey|help|start|menu|\?)\s*[.!]*\s*$/i, async (context) => {
    await turns.reply(context, await welcome(context));
  });

  // A pasted error wins over everything else, so "Can't sign in: AADSTS50053" is diagnosed, not looked up.
  registerDiagnosisRoutes(app, turns, { directory, catalogue: deps.catalogue, attempts: deps.attempts });
  // Before the guide, which answers anything that mentions recovery.
  registerRecoveryFeedRoutes(app, turns, { feed: deps.recoveryFeed, cards });
  registerGuideRoutes(app, turns, { directory, contact: deps.settings.helpdeskContact });
  registerCheckRoutes(app, turns, { directory, cards, attempts: deps.attempts, settings: deps.settings });
  registerReadinessRoutes(app, turns, { directory, cards, log, jobs: deps.readinessJobs });
  registerEscalationRoutes(app, turns, {
    cards,
    escalations: deps.escalations,
    personalChats: deps.personalChats,
    liveCards: deps.liveCards,
    ...(deps.now ? { now: deps.now } : {}),
  });
  registerPeopleSearch(app, { directory, log });
  registerVerificationRoutes(app, turns, { verifyCaller: deps.verifyCaller, cards, personalChats: deps.personalChats });
  registerHelpdeskRoutes(app, turns, { askHelpdesk: deps.askHelpdesk, contact: deps.settings.helpdeskContact });

  // Catch-all for text: anything no route understood gets a helpful card, never silence.
  app.activity(ActivityTypes.Message, async (context) => {
    const said = (context.activity.text ?? '').trim();
    await turns.reply(context, said ? cards.render('help', { said: plain(said, 200) }) : await welcome(context));
  });

  // Invokes no route claimed (a button from an older card version, a forged verb, an invoke this
  // bot does not support): a card that says so, or a 400, never the SDK's 501.
  app.activity(ActivityTypes.Invoke, async (context) => {
    // A channel's liveness probe: it reached the bot through authentication, which is what it asks.
    if (context.activity.name === 'healthCheck') {
      await context.sendActivity(invokeResponseActivity(healthCheckResponse()));
      return;
    }
    const isCardAction = context.activity.name === 'adaptiveCard/action';
    log.warn(
      { activityId: context.activity.id, name: String(context.activity.name ?? '').slice(0, 64) },
      'unhandled invoke',
    );
    const response = isCardAction
      ? actionResponse(
          turns.errorCard(
            '',
            t(
              'That button is not something I can do (it may come from an older version of this card). Nothing was changed.',
            ),
            t('That did not work'),
          ),
        )
      : unsupportedInvoke();
    await context.sendActivity(invokeResponseActivity(response));
  });

  app.error(async (context, error) => {
    const reference = context.activity.id ?? '';
    log.error({ err: errorSummary(error), activityId: reference, type: context.activity.type }, 'turn failed');
    const unavailable = storeUnavailable();
    const card =
      error instanceof StoreUnavailableError
        ? turns.errorCard(reference, unavailable.message, unavailable.title)
        : turns.errorCard(reference);
    if (context.activity.type === ActivityTypes.Message) {
      await turns.reply(context, card).catch(() => undefined);
    } else if (context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action') {
      await context.sendActivity(invokeResponseActivity(actionResponse(card))).catch(() => undefined);
    }
  });

  return app;
}
