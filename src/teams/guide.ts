import type { Application } from '@microsoft/teams-ai';
import { guideFor, type Guide } from '../app/guide.js';
import type { Directory } from '../directory/directory.js';
import { plain, type AdaptiveCard, type CardTemplates } from './cards.js';
import type { TurnKit } from './turn.js';

export const GUIDE_PATTERN = /^\s*(?:guide|steps|how (?:do|can) (?:i|they|we) recover|recover(?:y)?(?: guide| steps)?)\b/i;

/** The path through https://aka.ms/mfasetup, short enough to forward. */
export function guideCard(cards: CardTemplates, guide: Guide): AdaptiveCard {
  return cards.render('guide', {
    heading: guide.firstName ? `${plain(guide.firstName)}, here is how to get back into your account` : 'How to get back into your work account',
    signInHint: guide.signInName ? `your sign-in name **${plain(guide.signInName)}**` : 'your work sign-in name (usually your work email address)',
    userId: guide.userId ?? '',
  });
}

export function registerGuideRoutes(app: Application, kit: TurnKit, directory: Pick<Directory, 'findUsers'>): void {
  app.message(GUIDE_PATTERN, kit.onMessage('guide', async () => guideCard(kit.cards, {})));

  // From a button on another card: the guide arrives as a new message to forward, the card stays.
  kit.onVerb(app, 'guide', async (context, asker, { userId }) => {
    await kit.reply(context, guideCard(kit.cards, await guideFor(directory, asker, userId)));
    return 'The guide is below: forward it, or read it to the person.';
  });
}
