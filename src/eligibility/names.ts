import type * as Graph from '@microsoft/microsoft-graph-types';
import { type Fact, known, type NameTwin } from './facts.js';

/*
 * Name rules for E4 (names as on the ID) and E5 (no other user shares the name).
 * The identity verification provider compares First name (givenName) and Last name (surname) with
 * the government ID; the display name is not used. The bot cannot see the ID, so it quotes both
 * names for the agent and flags likely mismatches here.
 *
 * Status split (applied in rules.ts): a missing first or last name is a fail (recovery cannot
 * match it); every other finding is a warning, because each can also be a legitimate legal name.
 */

// In these scripts a combining mark is an accent or an optional vowel point, so "José" matches
// "Jose". Elsewhere it is part of the letter (Japanese voicing marks, Indic vowel signs) and stays.
const SCRIPT_WITH_OPTIONAL_MARKS =
  /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Hebrew}]/u;
const COMBINING_MARK = /\p{M}/u;

/** Case-folded, accent-free, whitespace-collapsed form of a name, for comparing names. */
export function normaliseName(name: string): string {
  // Lower, upper, lower folds more than lower alone ("ẞ", "ß" and "ss" meet); final sigma folds
  // to σ as in Unicode case folding, since toLowerCase picks σ or ς by position.
  const folded = name.toLowerCase().toUpperCase().toLowerCase().replace(/ς/gu, 'σ');
  const decomposed = folded.normalize('NFD');
  let kept = '';
  let baseHasOptionalMarks = false;
  for (const char of decomposed) {
    if (COMBINING_MARK.test(char)) {
      if (!baseHasOptionalMarks) kept += char;
      continue;
    }
    baseHasOptionalMarks = SCRIPT_WITH_OPTIONAL_MARKS.test(char);
    kept += char;
  }
  return kept
    .normalize('NFC')
    .replace(/[\u2018\u2019\u02BC]/gu, "'")
    .replace(/[\u2010-\u2015]/gu, '-')
    .replace(/\s+/gu, ' ')
    .trim();
}

type NameField = 'First name' | 'Last name';

/** The name fields recovery needs but the user lacks; any of them fails E4. */
export function missingNameFields(user: Graph.User): NameField[] {
  const missing: NameField[] = [];
  if (!user.givenName?.trim()) missing.push('First name');
  if (!user.surname?.trim()) missing.push('Last name');
  return missing;
}

/** A key equal for two users exactly when they are name twins (E5); undefined without both names. */
export function nameKey(user: Pick<Graph.User, 'givenName' | 'surname'>): string | undefined {
  const given = normaliseName(user.givenName ?? '');
  const surname = normaliseName(user.surname ?? '');
  // normaliseName never leaves a newline, so it cannot blur the boundary between the two names.
  return given && surname ? `${given}\n${surname}` : undefined;
}

export function areNameTwins(
  a: Pick<Graph.User, 'givenName' | 'surname'>,
  b: Pick<Graph.User, 'givenName' | 'surname'>,
): boolean {
  const key = nameKey(a);
  return key !== undefined && key === nameKey(b);
}

const TITLES_AND_SUFFIXES = new Set([
  'dr',
  'mr',
  'mrs',
  'ms',
  'mx',
  'miss',
  'prof',
  'jr',
  'sr',
  'ii',
  'iii',
  'iv',
  'phd',
  'esq',
]);

// Short forms that are usually not the legal name. "Likely" only: Jon or Beth can be legal names.
const SHORT_FORMS: Record<string, string> = {
  al: 'Albert or Alan',
  alex: 'Alexander or Alexandra',
  andy: 'Andrew',
  becky: 'Rebecca',
  ben: 'Benjamin',
  beth: 'Elizabeth',
  betty: 'Elizabeth',
  bill: 'William',
  billy: 'William',
  bob: 'Robert',
  bobby: 'Robert',
  charlie: 'Charles',
  chris: 'Christopher or Christine',
  chuck: 'Charles',
  dan: 'Daniel',
  danny: 'Daniel',
  dave: 'David',
  dick: 'Richard',
  ed: 'Edward',
  greg: 'Gregory',
  jeff: 'Jeffrey',
  jen: 'Jennifer',
  jenny: 'Jennifer',
  jim: 'James',
  jimmy: 'James',
  joe: 'Joseph',
  jon: 'Jonathan',
  kate: 'Katherine',
  katie: 'Katherine',
  larry: 'Lawrence',
  liz: 'Elizabeth',
  maggie: 'Margaret',
  matt: 'Matthew',
  meg: 'Margaret',
  mike: 'Michael',
  nick: 'Nicholas',
  pat: 'Patrick or Patricia',
  pete: 'Peter',
  rick: 'Richard',
  rob: 'Robert',
  sam: 'Samuel or Samantha',
  steve: 'Stephen or Steven',
  sue: 'Susan',
  tom: 'Thomas',
  tony: 'Anthony',
  will: 'William',
};

const words = (name: string): string[] => name.split(/[\s,]+/u).filter(Boolean);

const withoutTrailingDot = (word: string): string => word.replace(/\.$/u, '');

const isTitleOrSuffix = (word: string): boolean => TITLES_AND_SUFFIXES.has(withoutTrailingDot(normaliseName(word)));

// A single letter only counts as an initial in scripts with case: a single Han or kana
// character is a complete name.
function isInitial(word: string): boolean {
  const letter = withoutTrailingDot(word);
  if ([...letter].length !== 1 || !/\p{L}/u.test(letter)) return false;
  return word.endsWith('.') || letter.toUpperCase() !== letter.toLowerCase();
}

const compact = (name: string): string => normaliseName(name).replace(/[\s,]/gu, '');

/**
 * Everything about the user's names the agent should compare with the ID, one sentence each.
 * Missing names come first; they are also reported by `missingNameFields`.
 */
export function nameWarnings(user: Graph.User, level: 'exact' | 'relaxed' = 'exact'): string[] {
  const warnings = missingNameFields(user).map((field) => `${field} is empty.`);
  const fields: Array<[NameField, string]> = [];
  if (user.givenName?.trim()) fields.push(['First name', user.givenName]);
  if (user.surname?.trim()) fields.push(['Last name', user.surname]);

  for (const [field, value] of fields) {
    const fieldWords = words(value);
    for (const word of fieldWords.filter(isInitial)) {
      warnings.push(`${field} "${value}" contains the initial "${word}"; the ID most likely shows the full name.`);
    }
    for (const word of fieldWords.filter(isTitleOrSuffix)) {
      warnings.push(`${field} "${value}" contains the title or suffix "${word}"; the ID most likely does not.`);
    }
    if (field !== 'First name') continue;
    for (const word of fieldWords) {
      const fullForm = SHORT_FORMS[normaliseName(word)];
      if (fullForm) {
        warnings.push(
          `First name "${value}" is likely a short form of ${fullForm}; it can be a legal name, so check the ID.`,
        );
      }
    }
    const nameWords = fieldWords.filter((word) => !isTitleOrSuffix(word));
    // Relaxed matching takes each word on its own, so a packed middle name does no harm there.
    if (nameWords.length >= 2 && level === 'exact') {
      warnings.push(
        `First name "${value}" has ${nameWords.length} words; a middle name may be packed in, so check the ID's first-name field.`,
      );
    }
  }

  const display = user.displayName?.trim();
  if (display && fields.length === 2) {
    const given = compact(user.givenName ?? '');
    const surname = compact(user.surname ?? '');
    const shown = compact(display);
    if (shown !== given + surname && shown !== surname + given) {
      warnings.push(
        `Display name "${display}" disagrees with First + Last name; recovery ignores it, but one of the names may be out of date.`,
      );
    }
  }
  return warnings;
}

// ── Match levels ──────────────────────────────────────────────────────────────────────────────
/*
 * How a profile's match confidence level compares the ID's names with First name and Last name
 * (account recovery FAQ, "How is the Verified ID matched against Microsoft Entra ID account details?"):
 * - exact: "The first name and last name from the verified credential must match the user's First
 *   name and Last name properties in Microsoft Entra ID exactly."
 * - relaxed: "The First name property … must match any word in either the first name or last name
 *   claim … AND the Last name property … must match any word in either … claim."
 * https://learn.microsoft.com/entra/identity/authentication/self-service-account-recovery
 * What counts as a "word" (hyphens, apostrophes) and whether case or accents are folded is not
 * documented: `nameRisks` warns about those. `namesMatch` keeps every letter and accent for exact
 * (letter case and spacing aside: government IDs often print names in capitals) and folds case and
 * accents for relaxed. The claim validation extension compares the organisation's record with it:
 * one reading of the levels in the whole bot.
 */
export type NameMatchLevel = 'exact' | 'relaxed';
export interface DirectoryNames {
  givenName?: string | null;
  surname?: string | null;
}
export interface ClaimNames {
  firstName?: string | null;
  lastName?: string | null;
}

/** Each name's verdict, so a caller can name the claim that failed. */
export interface NameComparison {
  matches: boolean;
  first: boolean;
  last: boolean;
  reason: string;
}

const exactForm = (name: string | null | undefined): string =>
  (name ?? '').normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
const foldedWords = (name: string | null | undefined): string[] =>
  normaliseName(name ?? '')
    .split(' ')
    .filter(Boolean);

/** Whether recovery would match these names under this level, with the reason in one sentence. */
export function namesMatch(level: NameMatchLevel, directory: DirectoryNames, claims: ClaimNames): NameComparison {
  const given = exactForm(directory.givenName);
  const surname = exactForm(directory.surname);
  if (!given || !surname)
    return { matches: false, first: !!given, last: !!surname, reason: 'First name or Last name is empty' };
  if (level === 'exact') {
    const first = exactForm(claims.firstName) === given;
    const last = exactForm(claims.lastName) === surname;
    return first && last
      ? { matches: true, first, last, reason: 'both names match exactly' }
      : {
          matches: false,
          first,
          last,
          reason: `${first ? 'Last' : 'First'} name differs from the ID's${first || last ? '' : ', and so does the other'}`,
        };
  }
  const claimWords = new Set([...foldedWords(claims.firstName), ...foldedWords(claims.lastName)]);
  const covered = (name: string) => foldedWords(name).every((word) => claimWords.has(word));
  const first = covered(given);
  const last = covered(surname);
  return first && last
    ? { matches: true, first, last, reason: "each name is among the words of the ID's names" }
    : {
        matches: false,
        first,
        last,
        reason: `${first ? 'Last' : 'First'} name is not among the words of the ID's names`,
      };
}

/** Risk codes, so other modules (the claim validation extension, the diagnosis) match on codes, not prose. */
export type NameRiskCode =
  | 'particle'
  | 'several-surnames'
  | 'hyphen'
  | 'apostrophe'
  | 'diacritics'
  | 'several-given-names';
export interface NameRisk {
  code: NameRiskCode;
  message: string;
}

const NOT_ASCII = /[^ -~]/u;
// Letters that carry a diacritic without decomposing into a base letter and a mark.
const LETTERS_WITH_STROKES = /[øæœßłđħı]/iu;

// Particles that IDs print in varying case and position ("van der Berg", "Van Der Berg", "Berg, van der").
const PARTICLES = new Set(
  'al ap bin binti da dal de dei del della den der des di do dos du el ibn la le lo mac mc st ten ter van von y zu'.split(
    ' ',
  ),
);

/**
 * What in these names may stop a match at this level, one sentence each. Under exact matching a
 * surname with a particle, several surnames, a hyphen, an apostrophe or a diacritic is printed in
 * more than one way across IDs and providers; under relaxed matching only the word boundaries of
 * hyphens and apostrophes are undocumented.
 */
export function nameRisks(level: NameMatchLevel, names: DirectoryNames): NameRisk[] {
  const risks: NameRisk[] = [];
  const fields: Array<[string, string]> = [];
  if (names.givenName?.trim()) fields.push(['First name', names.givenName.trim()]);
  if (names.surname?.trim()) fields.push(['Last name', names.surname.trim()]);
  for (const [field, value] of fields) {
    const parts = value.split(/\s+/u);
    if (/[-\u2010-\u2015]/u.test(value)) {
      risks.push({
        code: 'hyphen',
        message:
          level === 'exact'
            ? `${field} "${value}" has a hyphen; under exact matching the ID must print it the same way (some IDs print a space or nothing).`
            : `${field} "${value}" has a hyphen; whether relaxed matching splits words at a hyphen is not documented.`,
      });
    }
    if (/['\u2018\u2019\u02BC]/u.test(value)) {
      risks.push({
        code: 'apostrophe',
        message:
          level === 'exact'
            ? `${field} "${value}" has an apostrophe; under exact matching the ID must print the same character (IDs often drop it).`
            : `${field} "${value}" has an apostrophe; whether relaxed matching treats it as part of the word is not documented.`,
      });
    }
    if (level === 'relaxed') continue;
    if (NOT_ASCII.test(value) && (COMBINING_MARK.test(value.normalize('NFD')) || LETTERS_WITH_STROKES.test(value))) {
      risks.push({
        code: 'diacritics',
        message: `${field} "${value}" has letters with diacritics; under exact matching the ID's machine-readable form often drops them.`,
      });
    }
    const particles = parts.filter((part) => PARTICLES.has(part.toLowerCase().replace(/[.'’]$/u, '')));
    if (particles.length > 0 && parts.length > 1) {
      risks.push({
        code: 'particle',
        message: `${field} "${value}" has the particle "${particles.join(' ')}"; under exact matching its case and position must be as on the ID.`,
      });
    } else if (field === 'Last name' && parts.length > 1) {
      risks.push({
        code: 'several-surnames',
        message: `Last name "${value}" has ${parts.length} words; under exact matching the ID's last-name field must hold exactly these (IDs often print one surname, or all of them).`,
      });
    }
  }
  return risks;
}
