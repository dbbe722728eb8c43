import type { Application } from '@microsoft/teams-ai';
import type { Directory } from '../directory/directory.js';
import type { DirectoryUser } from '../directory/users.js';
import { readActionData } from './action-data.js';
import type { Asker } from './asker.js';
import { plain, type AdaptiveCard, type CardTemplates } from './cards.js';
import type { TurnKit } from './turn.js';

export const GUIDE_PATTERN = /^\s*(?:guide|steps|how (?:do|can) (?:i|they|we) recover|recover(?:y)?(?: guide| steps)?)\b/i;

/**
 * The path through https://aka.ms/mfasetup for a non-technical reader, short enough to forward.
 * With a known user it is addressed to them; agents also get their sign-in name in step 3, since
 * the person needs to type it (colleagues do not see directory details).
 */
export function guideCard(cards: CardTemplates, asker: Asker, user?: DirectoryUser): AdaptiveCard {
  const firstName = user?.givenName?.trim() || user?.displayName?.trim();
  const upn = asker.isHelpdeskAgent && user?.userPrincipalName ? user.userPrincipalName : undefined;
  return cards.render('guide', {
    heading: firstName ? `${plain(firstName)}, here is how to get back into your account` : 'How to get back into your work account',
    signInHint: upn ? `your sign-in name **${plain(upn)}**` : 'your work sign-in name (usually your work email address)',
    userId: user?.id ?? '',
  });
}

export function registerGuideRoutes(app: Application, kit: TurnKit, directory: Directory): void {
  app.message(GUIDE_PATTERN, kit.onMessage(async (_context, asker) => guideCard(kit.cards, asker)));

  // From a button on another card: the guide arrives as a new message to forward, the card stays.
  app.adaptiveCards.actionExecute(
    'guide',
    kit.onAction(async (context, asker, data) => {
      const { userId } = readActionData(data, { userId: { kind: 'guid' } });
      const [user] = userId ? await directory.findUsers({ kind: 'id', id: userId }) : [];
      await kit.reply(context, guideCard(kit.cards, asker, user));
      return 'The guide is below: forward it, or read it to the person.';
    }),
  );
}
