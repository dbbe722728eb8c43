import type { Guide } from '../app/guide.js';
import type { HelpdeskContact } from '../config.js';
import type { AdaptiveCard, CardTemplates } from './cards.js';
import { currentReader, forReader, LANGUAGES, type Language, t } from './locale.js';

/** Where the plain-text guide starts: short enough to type from a phone's screen into a computer. */
export const GUIDE_LINK = 'https://aka.ms/mfasetup';

/** Each language by its own name, for the choice of the text's language. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  ja: '日本語',
};

/**
 * The guide for a text message or a mail, for someone who cannot open Teams: the link on the first
 * line, one short line per step, no markdown. The same 2026 steps as the guide card
 * (adaptive-cards/guide.json), shortened: it starts at the card's fallback, aka.ms/mfasetup in a
 * private window, which works from any browser, where the card starts at any sign-in.
 */
export function guideText(guide: Guide, contact: HelpdeskContact | undefined): string {
  const signIn = guide.signInName ? oneLine(guide.signInName, 113) : t('your work email address or sign-in name');
  return [
    GUIDE_LINK,
    guide.firstName
      ? t('${firstName}, this is how to get back into your work account:', { firstName: oneLine(guide.firstName, 40) })
      : t('This is how to get back into your work account:'),
    t('It takes about 10 minutes. Have ready:'),
    t('- your phone with Microsoft Authenticator'),
    t('- a passport, ID card or driving licence'),
    t('1. Open the link above in a private browser window.'),
    t('2. Sign in with ${signIn}.', { signIn }),
    t('3. Choose Other ways to sign in, then Recover your account.'),
    t('4. Scan the QR code, photograph your ID, take the selfie.'),
    t('5. Accept the Verified ID in Authenticator, do Face Check.'),
    t('6. Sign in with the Temporary Access Pass you get.'),
    t('7. Add a passkey straight away, within 10 minutes.'),
    t('Error AADSTS55200? Start again in a new private window.'),
    t('Never share the pass with anyone, not even IT.'),
    ...(contact ? [t('Stuck? Helpdesk: ${contact}', { contact: oneLine(contact.text, 200) })] : []),
  ].join('\n');
}

/**
 * The card holding the text in a box to copy (an input, so it copies as it is, without markdown),
 * and a button that opens a new mail with it. The card is in the reader's language; the text in
 * the one they chose for the person, which card data may choose: it is what the person reads.
 */
export function guideTextCard(
  cards: CardTemplates,
  guide: Guide,
  language: Language,
  contact: HelpdeskContact | undefined,
): AdaptiveCard {
  const reader = currentReader();
  const { text, subject } = forReader({ ...reader, language }, () => ({
    text: guideText(guide, contact),
    subject: t('How to get back into your work account'),
  }));
  return cards.render('guide-text', {
    heading: t('The guide as plain text, in ${language}', { language: LANGUAGE_NAMES[language] }),
    text: text.replace(/\$\{/g, '$\u200b{'),
    // RFC 6068: no address (the agent fills it in), line breaks as CRLF, everything percent-encoded.
    mailUrl: `mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(text.replace(/\n/g, '\r\n'))}`,
  });
}

/** The choice of the text's language on the guide card, the reader's own first. */
export function languageChoices(): { title: string; value: Language }[] {
  const own = currentReader().language;
  return [own, ...LANGUAGES.filter((l) => l !== own)].map((value) => ({ title: LANGUAGE_NAMES[value], value }));
}

/** A name or address on one line of plain text: no line breaks, no control characters, clipped. */
function oneLine(text: string, maxLength: number): string {
  return text.slice(0, maxLength).replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ');
}
