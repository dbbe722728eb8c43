import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { TeamsInfo } from 'botbuilder';
import { type AttemptReader, type CheckDirectory, type CheckResult, checkUser, recheckUser } from '../app/check.js';
import { passBlocker } from '../eligibility/pass-gate.js';
import { parseUserQuery, type UserQuery } from '../eligibility/user-query.js';
import type { BotSettings } from './app.js';
import type { Asker } from './asker.js';
import { type AdaptiveCard, type CardTemplates, plain } from './cards.js';
import { agentEligibilityView, candidatesView, colleagueEligibilityView } from './eligibility-views.js';
import { t } from './locale.js';
import { isSharedConversation, withViewerRefresh } from './shared-chat.js';
import type { Turns } from './turn.js';

export interface CheckDependencies {
  directory: CheckDirectory;
  cards: CardTemplates;
  /** Claim validation attempts, shown to agents; absent when the extension is off. */
  attempts?: AttemptReader;
  settings: BotSettings;
}

/** "check jon.doe@contoso.com", "check Jon Doe", "can @Jon recover?" -> what the person typed about whom. */
export const CHECK_PATTERN = /^\s*(?:check|eligibility|eligible|lookup|look up)\b|^\s*can\s(?!'|i\b)/i;

export async function queryFromMessage(context: TurnContext): Promise<UserQuery | { problem: string }> {
  const mention = (context.activity.entities ?? []).find(
    (e) => e.type === 'mention' && e.mentioned?.id && e.mentioned.id !== context.activity.recipient?.id,
  );
  if (mention) {
    const objectId = await mentionedObjectId(context, mention.mentioned.id);
    if (objectId) return { kind: 'id', id: objectId };
    return parseUserQuery(String(mention.mentioned.name ?? ''));
  }
  const text = (context.activity.text ?? '')
    .replace(CHECK_PATTERN, '')
    .replace(/^\s*(?:user|for|about|if|whether)\s+/i, '')
    .replace(/\s+(?:recover|can recover|eligible)\s*\??\s*$/i, '')
    .replace(/[?!.]+\s*$/, '');
  return parseUserQuery(text);
}

/** Teams mentions carry the chat id (29:...); the roster maps it to the Entra object id. */
async function mentionedObjectId(context: TurnContext, memberId: string): Promise<string | undefined> {
  try {
    return (await TeamsInfo.getMember(context, memberId)).aadObjectId ?? undefined;
  } catch {
    return undefined;
  }
}

export function registerCheckRoutes(app: Application, turns: Turns, deps: CheckDependencies): void {
  app.message(
    CHECK_PATTERN,
    turns.onMessage('check', async (context, asker) => {
      const typed = (context.activity.text ?? '').replace(CHECK_PATTERN, '').trim();
      const result = await checkUser(deps.directory, asker, await queryFromMessage(context), deps.attempts);
      const card = checkCard(deps, result, typed);
      // Everyone in a shared conversation reads the colleague's answer; each viewer's client then
      // asks for their own view (check.refresh), which an agent gets as the full checklist.
      if (result.kind !== 'for-colleague' || !isSharedConversation(context.activity)) return card;
      return withViewerRefresh(card, 'check.refresh', { userId: result.user.id }, [context.activity.from.id]);
    }),
  );

  turns.onVerb(app, 'check', async (_context, asker, { target }) =>
    eligibilityCard(deps, asker, parseUserQuery(target ?? ''), target ?? ''),
  );

  turns.onVerb(app, 'check.refresh', async (_context, asker, { userId }) => {
    const result = await recheckUser(deps.directory, asker, userId, deps.attempts);
    if (result.kind === 'nobody')
      return deps.cards.render('notice', {
        title: t('No such user in this tenant'),
        message: t('That account no longer exists.'),
      });
    return checkCard(deps, result, '');
  });
}

/** The answer to "can this user recover with SSAR?", shaped for who is asking. */
async function eligibilityCard(
  deps: CheckDependencies,
  asker: Asker,
  query: UserQuery | { problem: string },
  typed: string,
): Promise<AdaptiveCard> {
  return checkCard(deps, await checkUser(deps.directory, asker, query, deps.attempts), typed);
}

function checkCard({ cards, settings }: CheckDependencies, result: CheckResult, typed: string): AdaptiveCard {
  switch (result.kind) {
    case 'unclear':
      return cards.render('notice', { title: t('Who should I check?'), message: plain(t(result.problem)) });
    case 'nobody':
      return cards.render('notice', {
        title: t('No such user in this tenant'),
        message: t('I found nobody matching "${typed}". Check the spelling, or use their email address.', {
          typed: plain(typed, 100),
        }),
      });
    case 'several':
      return cards.render('user-choice', candidatesView(typed, result.users, result.limit, result.forAgent));
    case 'namesakes':
      return cards.render('notice', {
        title: t('There are ${count} people called ${name}', { count: result.count, name: plain(result.name) }),
        message: t(
          'I cannot tell them apart by name, and I do not show more than names to colleagues. Ask the helpdesk: they can check the right one.',
        ),
      });
    case 'for-agent':
      return cards.render(
        'eligibility-agent',
        agentEligibilityView(
          result.user,
          result.eligibility,
          result.recoveryScope,
          result.readAt,
          passBlocker(result.eligibility, result.privilegedRoles, settings.allowPrivilegedPasses),
          result.claimValidation,
        ),
      );
    case 'for-colleague':
      return cards.render(
        'eligibility-colleague',
        colleagueEligibilityView(result.user, result.answer, settings.helpdeskContact),
      );
  }
}
