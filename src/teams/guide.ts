import type { Application } from '@microsoft/teams-ai';
import { type Guide, guideFor } from '../app/guide.js';
import type { HelpdeskContact } from '../config.js';
import type { Directory } from '../directory/directory.js';
import { type AdaptiveCard, type CardTemplates, plain } from './cards.js';
import { guideTextCard, languageChoices } from './guide-text.js';
import { t } from './locale.js';
import { colleagueStanding, isSharedConversation } from './shared-chat.js';
import type { Turns } from './turn.js';

export const GUIDE_PATTERN =
  /^\s*(?:guide|steps|how (?:do|can) (?:i|they|we) recover|recover(?:y)?(?: guide| steps)?)\b/i;

/** The path through https://aka.ms/mfasetup, short enough to forward. */
export function guideCard(cards: CardTemplates, guide: Guide): AdaptiveCard {
  const languages = languageChoices();
  return cards.render('guide', {
    heading: guide.firstName
      ? t('${firstName}, here is how to get back into your account', { firstName: plain(guide.firstName) })
      : t('How to get back into your work account'),
    signInHint: guide.signInName
      ? t('your sign-in name **${signInName}**', { signInName: plain(guide.signInName) })
      : t('your work sign-in name (usually your work email address)'),
    userId: guide.userId ?? '',
    language: languages[0]!.value,
    languages,
  });
}

export function registerGuideRoutes(
  app: Application,
  turns: Turns,
  deps: { directory: Pick<Directory, 'findUsers'>; contact?: HelpdeskContact },
): void {
  const { directory } = deps;
  app.message(
    GUIDE_PATTERN,
    turns.onMessage('guide', async () => guideCard(turns.cards, {})),
  );

  // From a button on another card: the guide arrives as a new message to forward, the card stays.
  // The guide is a new message: in a shared conversation everyone reads it, so it is a colleague's.
  turns.onVerb(app, 'guide', async (context, asker, { userId }) => {
    const reader = isSharedConversation(context.activity) ? colleagueStanding(asker) : asker;
    await turns.reply(context, guideCard(turns.cards, await guideFor(directory, reader, userId)));
    return t('The guide is below: forward it, or read it to the person.');
  });

  // The same guide as plain text, for someone who cannot open Teams; the card it came from stays.
  turns.onVerb(app, 'guide.text', async (context, asker, { userId, language }) => {
    const reader = isSharedConversation(context.activity) ? colleagueStanding(asker) : asker;
    const guide = await guideFor(directory, reader, userId);
    await turns.reply(context, guideTextCard(turns.cards, guide, language, deps.contact));
    return t('The text is below: copy it into a text message or a mail.');
  });
}
