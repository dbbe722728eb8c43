import type { Activity } from 'botbuilder';
import type { Asker } from './asker.js';
import type { AdaptiveCard } from './cards.js';
import { t } from './locale.js';

/*
 * Group chats, channels and meeting chats: several people read every message the bot posts there,
 * so what it posts is what a colleague may see. An agent's detail comes only as a per-viewer view
 * (Universal Actions `refresh`: each viewer's client invokes the bot, and the bot answers that
 * invoke by the viewer's own standing; the answer replaces the card for that viewer only), or in
 * their 1:1 chat. https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views
 */

/** Anything Teams does not call a personal chat is read by several people (groupChat, channel; a meeting's chat is a groupChat). */
export function isSharedConversation(activity: Pick<Activity, 'conversation'>): boolean {
  return activity.conversation?.conversationType !== 'personal';
}

/** The standing whatever is posted for everyone is shaped by: a colleague's, whoever asked. */
export function colleagueStanding(asker: Asker): Asker {
  return { ...asker, isHelpdeskAgent: false, isApprover: false };
}

/**
 * The shared card asks each viewer's client to fetch their own view with `verb`. `userIds` names
 * who must get it even in a chat of more than 60 people (below that Teams refreshes for everyone).
 * https://learn.microsoft.com/javascript/api/teams-sdk-typescript/@microsoft/teams.cards/irefreshdefinition
 */
export function withViewerRefresh(
  card: AdaptiveCard,
  verb: string,
  data: Record<string, string>,
  userIds: string[],
): AdaptiveCard {
  return { ...card, refresh: { action: { type: 'Action.Execute', title: 'Refresh', verb, data }, userIds } };
}

/** Requests, escalations, readiness and caller verification name people: only in a 1:1 chat. */
export const askInPersonalChat = () => ({
  title: t('Ask me in our 1:1 chat'),
  message: t(
    'Several people read this conversation, so I answer that only in a 1:1 chat. Open a chat with SSAR Helpdesk and ask me there.',
  ),
});
