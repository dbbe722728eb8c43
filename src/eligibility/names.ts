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
export function nameWarnings(user: Graph.User): string[] {
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
    if (nameWords.length >= 2) {
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

/**
 * Recovery-group twins (accent-folded) and tenant-wide namesakes (exact names), each once, saying
 * who is in a recovery group. A twin found is enough to fail E5; "none" needs both reads.
 */
export function combineNameTwins(
  userId: string | undefined,
  inGroups: Fact<NameTwin[]>,
  inTenant: Fact<NameTwin[]>,
): Fact<NameTwin[]> {
  const groupIds = new Set(inGroups.known ? inGroups.value.map((twin) => twin.id) : []);
  const twins = new Map<string, NameTwin>();
  for (const twin of inGroups.known ? inGroups.value : []) twins.set(twin.id, { ...twin, inRecoveryGroup: true });
  for (const twin of inTenant.known ? inTenant.value : []) {
    if (!twins.has(twin.id))
      twins.set(twin.id, { ...twin, ...(inGroups.known && { inRecoveryGroup: groupIds.has(twin.id) }) });
  }
  if (userId) twins.delete(userId);
  if (twins.size === 0 && (!inGroups.known || !inTenant.known)) return inTenant.known ? inGroups : inTenant;
  return known([...twins.values()]);
}

/** The key for an exact, case-insensitive namesake match, as Graph's `$filter` eq on givenName and surname matches. */
export function namesakeKey(user: Pick<Graph.User, 'givenName' | 'surname'>): string | undefined {
  return user.givenName && user.surname ? `${user.givenName}\n${user.surname}`.toLowerCase() : undefined;
}
