import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { TeamsInfo } from 'botbuilder';
import { readActionData } from './action-data.js';
import type { TurnKit } from './turn.js';
import { checkEligibility } from '../eligibility/rules.js';
import type { Directory } from '../directory/directory.js';
import { MAX_MATCHES, parseUserQuery, type DirectoryUser, type UserQuery } from '../directory/users.js';
import type { Asker } from './asker.js';
import { plain, type AdaptiveCard, type CardTemplates } from './cards.js';
import { agentEligibilityView, candidatesView, colleagueEligibilityView } from './eligibility-views.js';

export interface CheckDependencies {
  directory: Directory;
  cards: CardTemplates;
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

export function registerCheckRoutes(app: Application, kit: TurnKit, deps: CheckDependencies): void {
  app.message(
    CHECK_PATTERN,
    kit.onMessage(async (context, asker) => {
      const typed = (context.activity.text ?? '').replace(CHECK_PATTERN, '').trim();
      return eligibilityCard(deps, asker, await queryFromMessage(context), typed);
    }),
  );

  app.adaptiveCards.actionExecute(
    'check',
    kit.onAction(async (_context, asker, data) => {
      const { target } = readActionData(data, { target: { kind: 'text', maxLength: 256 }, source: { kind: 'text', maxLength: 20 } });
      return eligibilityCard(deps, asker, parseUserQuery(target ?? ''), target ?? '');
    }),
  );

  app.adaptiveCards.actionExecute(
    'check.refresh',
    kit.onAction(async (_context, asker, data) => {
      const { userId } = readActionData(data, { userId: { kind: 'guid', required: true } });
      const [user] = await deps.directory.findUsers({ kind: 'id', id: userId! });
      if (!user) return deps.cards.render('notice', { title: 'No such user in this tenant', message: 'That account no longer exists.' });
      return userEligibilityCard(deps, asker, user);
    }),
  );
}

/** The answer to "can this user recover with SSAR?", shaped for who is asking. */
export async function eligibilityCard(deps: CheckDependencies, asker: Asker, query: UserQuery | { problem: string }, typed: string): Promise<AdaptiveCard> {
  const { directory, cards } = deps;
  if ('problem' in query) return cards.render('notice', { title: 'Who should I check?', message: plain(query.problem) });
  // The tenant's policies do not depend on the user: read them in the same wave as the lookup.
  directory.prefetchTenantFacts();
  const users = await directory.findUsers(query);
  if (users.length === 0) {
    return cards.render('notice', {
      title: 'No such user in this tenant',
      message: `I found nobody matching "${plain(typed, 100)}". Check the spelling, or use their email address.`,
    });
  }
  if (users.length > 1) return cards.render('user-choice', candidatesView(typed, users, MAX_MATCHES));
  return userEligibilityCard(deps, asker, users[0]!);
}

export async function userEligibilityCard(deps: CheckDependencies, asker: Asker, user: DirectoryUser): Promise<AdaptiveCard> {
  const facts = await deps.directory.eligibilityFacts(user);
  const eligibility = checkEligibility(facts);
  return asker.isHelpdeskAgent
    ? deps.cards.render('eligibility-agent', agentEligibilityView(user, eligibility, facts.recoveryScope, facts.readAt))
    : deps.cards.render('eligibility-colleague', colleagueEligibilityView(user, eligibility));
}
