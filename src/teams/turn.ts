import type { Application } from '@microsoft/teams-ai';
import { ActivityTypes, CardFactory, type TurnContext } from 'botbuilder';
import { tenantOf } from '../activity.js';
import type { Directory } from '../directory/directory.js';
import { GraphRequestError } from '../directory/graph.js';
import { graphTrouble } from '../directory/graph-trouble.js';
import { refusal as makeRefusal, type Refusal } from '../escalation/refusal.js';
import { forMachines } from '../escalation/sentence.js';
import { errorSummary, type Logger } from '../log.js';
import { StoreUnavailableError } from '../storage/store.js';
import { annotateTurn, metric } from '../telemetry/telemetry.js';
import { type ActionData, BadActionData, readActionData } from './action-data.js';
import { type Asker, isPersonalChat, NotAnOrganisationUser, whoIsAsking } from './asker.js';
import { type AdaptiveCard, type CardTemplates, plain } from './cards.js';
import { actionResponse, invokeResponseActivity } from './invoke-response.js';
import { forReader, inReaderTime, inReaderWords, readerOf, t, timeZoneOf } from './locale.js';
import { nextStepAfter } from './next-steps.js';
import { colleagueStanding, isSharedConversation } from './shared-chat.js';
import { VERBS, type Verb } from './verbs.js';

/**
 * What every route handler shares: who is asking (once per turn, from the activity), and turning
 * any failure into a card that says what happened. Invoke handlers therefore always return a valid
 * card, and message handlers never leave the person with silence.
 */
export interface Turns {
  cards: CardTemplates;
  reply(context: TurnContext, card: AdaptiveCard): Promise<unknown>;
  /**
   * `command` names the route for telemetry (the turn span's verb), never what was typed. In a
   * shared conversation the handler gets a colleague's standing, whoever asked, unless
   * `namesNobody` says its answer holds nothing a colleague may not read (a switch turned on).
   */
  onMessage(
    command: string,
    handler: (context: TurnContext, asker: Asker) => Promise<AdaptiveCard>,
    options?: { namesNobody?: boolean },
  ): (context: TurnContext) => Promise<void>;
  /**
   * Registers the route for one verb of src/teams/verbs.ts; the handler gets the data already
   * checked against its spec, and returns the card that replaces the one clicked or a short
   * acknowledgement that leaves it.
   */
  onVerb<V extends Verb>(
    app: Application,
    verb: V,
    handler: (
      context: TurnContext,
      asker: Asker,
      data: ActionData<(typeof VERBS)[V]>,
    ) => Promise<AdaptiveCard | string>,
  ): void;
  errorCard(reference: string, message?: string, title?: string, code?: string): AdaptiveCard;
}

/**
 * A whole turn for the person who sent it: the reader (language, time zone) is decided once, from
 * the activity like the asker, and every card rendered in the turn, error cards included, is theirs.
 * An activity that names no zone (a card button's invoke carries the locale, but need not carry a
 * clientInfo entity) is read on the clock the sender's 1:1 chat last named (`savedZone`), so the card
 * a button replaces keeps the clock it was written on.
 * https://learn.microsoft.com/python/api/microsoft-teams-api/microsoft_teams.api.adaptivecardinvokeactivity
 */
export async function inReadersTurn<T>(
  context: TurnContext,
  work: () => Promise<T>,
  savedZone?: (tenantId: string, userId: string) => Promise<string>,
): Promise<T> {
  const { activity } = context;
  const reader = readerOf(activity);
  const tenantId = tenantOf(activity);
  const userId = activity.from?.aadObjectId;
  if (savedZone && tenantId && userId && timeZoneOf(activity) === undefined) {
    reader.timeZone = await savedZone(tenantId, userId).catch(() => reader.timeZone);
  }
  return forReader(reader, work);
}

/** A use case's Refusal on its way to the card, thrown from deep inside a handler. */
export class Refused extends Error {
  readonly refusal: Refusal;
  /** Words the route already put in the reader's language, shown instead of the refusal's own. */
  readonly shown?: { title: string; message: string };
  constructor(refusal: Refusal, shown?: { title: string; message: string });
  /** A refusal made by a route itself (the readiness job), in the reader's words already; code 'not-allowed'. */
  constructor(title: string, message: string);
  constructor(refusalOrTitle: Refusal | string, shownOrMessage?: { title: string; message: string } | string) {
    const shown =
      typeof shownOrMessage === 'string' ? { title: String(refusalOrTitle), message: shownOrMessage } : shownOrMessage;
    const refusal =
      typeof refusalOrTitle === 'string'
        ? makeRefusal('not-allowed', forMachines(shown?.message ?? ''), forMachines(refusalOrTitle))
        : refusalOrTitle;
    super(refusal.message);
    this.name = 'Refused';
    this.refusal = refusal;
    if (shown) this.shown = shown;
  }
}

/** The title for refusals that carry none of their own. */
const refusalTitle = () => t('That did not work');

/** What a person reads when the store cannot be written: each write is all or nothing, so nothing half-done is left. */
export const storeUnavailable = () => ({
  title: t('I could not save that'),
  message: t(
    'I could not save that; nothing was changed. My storage cannot be reached right now: try again in a minute, and tell the helpdesk if it keeps happening.',
  ),
});

export function createTurns(cards: CardTemplates, directory: Directory, log: Logger): Turns {
  const reply = (context: TurnContext, card: AdaptiveCard) =>
    context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });

  const errorCard = (reference: string, message?: string, title?: string, code?: string) =>
    cards.render('error', {
      title: title ?? t('Something went wrong on my side'),
      // A refusal's moments are written by the core in UTC: on this card they are on the reader's clock.
      message:
        message === undefined
          ? t('Nothing was changed. Please try again in a minute; if it keeps happening, tell the helpdesk.')
          : inReaderTime(message),
      reference: plain(reference, 100),
      code: code ?? '',
      nextStep: code ? nextStepAfter(code) : '',
    });

  function failureCard(context: TurnContext, error: unknown): AdaptiveCard {
    const reference = context.activity.id ?? '';
    if (error instanceof Refused) {
      metric.refusal(error.refusal.code);
      annotateTurn({ outcome: 'refused' });
      const { refusal, shown } = error;
      return errorCard(
        '',
        shown?.message ?? inReaderWords(refusal.said),
        shown?.title ?? (refusal.heading ? inReaderWords(refusal.heading) : refusalTitle()),
        refusal.code,
      );
    }
    annotateTurn({ outcome: 'failed' });
    if (error instanceof NotAnOrganisationUser) {
      return cards.render('notice', {
        title: t('I can only help people in your organisation'),
        message: t('Sign in to Teams with your work account and try again.'),
      });
    }
    if (error instanceof BadActionData) {
      log.warn({ activityId: reference, problem: error.message }, 'refused card action data');
      return errorCard(
        reference,
        t('That button sent something I cannot accept (${problem}). Nothing was changed.', {
          problem: plain(error.message),
        }),
        refusalTitle(),
      );
    }
    if (error instanceof StoreUnavailableError) {
      log.warn({ err: errorSummary(error), activityId: reference }, 'store unavailable');
      const { message, title } = storeUnavailable();
      return errorCard(reference, message, title);
    }
    if (error instanceof GraphRequestError) {
      log.warn({ err: errorSummary(error), activityId: reference }, 'directory read failed');
      const trouble = graphTrouble(error);
      return errorCard(reference, t(trouble.message, trouble.values), t('I could not read the directory'));
    }
    log.error({ err: errorSummary(error), activityId: reference, type: context.activity.type }, 'turn failed');
    return errorCard(reference);
  }

  async function answer<R extends AdaptiveCard | string>(
    context: TurnContext,
    produce: (asker: Asker) => Promise<R>,
    namesNobody = false,
  ): Promise<{ result: R | AdaptiveCard; failed: boolean }> {
    try {
      const asker = await whoIsAsking(context, directory);
      annotateTurn({ role: roleOf(asker) });
      // A message answered in a shared conversation is read by everyone there: a colleague's answer.
      // A button's answer replaces the card only for whoever pressed it, so it keeps their standing.
      const shared =
        !namesNobody && isSharedConversation(context.activity) && context.activity.type !== ActivityTypes.Invoke;
      const result = await produce(shared ? colleagueStanding(asker) : asker);
      annotateTurn({ outcome: 'answered' });
      return { result, failed: false };
    } catch (error) {
      return { result: failureCard(context, error), failed: true };
    }
  }

  return {
    cards,
    reply,
    errorCard,
    onMessage: (command, handler, options) => async (context) => {
      annotateTurn({ verb: command });
      await reply(context, (await answer(context, (asker) => handler(context, asker), options?.namesNobody)).result);
    },
    onVerb: (app, verb, handler) => {
      app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
        annotateTurn({ verb });
        const { fields, asNewCard } = answerPlacement(data);
        const { result, failed } = await answer(context, (asker) =>
          handler(context, asker, readActionData(fields, VERBS[verb])),
        );
        // In a 1:1 chat the answer to a button on a card worth keeping (a checklist, the guide, the
        // readiness summary), error or not, arrives as a new message and leaves that card. In a
        // shared chat a new message would be read by everyone: there it stays the clicker's own card.
        if (typeof result !== 'string' && !result.refresh && asNewCard && isPersonalChat(context)) {
          await reply(context, result);
          const note = failed
            ? t('That did not work: the reason and what to do next are in the message below.')
            : t('The answer is in the message below.');
          await respondToAction(context, note);
          return note;
        }
        await respondToAction(context, result);
        return result;
      });
    },
  };
}

/**
 * A button may ask for its answer as a new message (`"answerAs": "new-card"` beside its data), so
 * the card it is on stays: Diagnose on a checklist, Check on the readiness summary. The kit reads
 * that field for every verb; the verb's own fields are checked against its spec as before.
 */
export const ANSWER_AS_NEW_CARD = { answerAs: 'new-card' } as const;

function answerPlacement(data: unknown): { fields: unknown; asNewCard: boolean } {
  if (!data || typeof data !== 'object' || Array.isArray(data) || !Object.hasOwn(data, 'answerAs'))
    return { fields: data, asNewCard: false };
  const { answerAs, ...fields } = data as Record<string, unknown>;
  // Any other value stays among the fields, where the verb's spec refuses it as unexpected.
  return answerAs === ANSWER_AS_NEW_CARD.answerAs ? { fields, asNewCard: true } : { fields: data, asNewCard: false };
}

/**
 * The invoke response, sent here rather than by teams-ai 1.7.4: once one response for a verb has
 * carried `refresh`, teams-ai replaces the card for everyone in the chat on every later response
 * for that verb, error cards included. Here only a card with `refresh` in a 1:1 chat replaces the
 * message; anything else answers the person who clicked (Teams replaces the card for the
 * interactor only). In a shared conversation nothing an invoke answers is written over the message
 * everyone reads: that answer was shaped by the clicker's standing.
 * https://learn.microsoft.com/javascript/api/@microsoft/teams-ai/adaptivecardactionexecuteresponsetype
 */
async function respondToAction(context: TurnContext, result: AdaptiveCard | string): Promise<void> {
  const replyToId = context.activity.replyToId;
  if (typeof result !== 'string' && result.refresh && replyToId && !isSharedConversation(context.activity)) {
    await context.updateActivity({
      id: replyToId,
      type: ActivityTypes.Message,
      attachments: [CardFactory.adaptiveCard(result)],
    });
  }
  await context.sendActivity(invokeResponseActivity(actionResponse(result)));
}

/** The asker's standing in the bot's groups as one word for telemetry, never who they are; a manager deciding for a report is a 'member'. */
function roleOf(asker: Asker): 'agent' | 'approver' | 'member' {
  if (asker.isHelpdeskAgent) return 'agent';
  if (asker.isApprover) return 'approver';
  return 'member';
}
