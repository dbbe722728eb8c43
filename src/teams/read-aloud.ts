import { t } from './locale.js';

/** How many characters are read out before a pause: four are easy to hold in mind and to type. */
const GROUP = 4;

/** The pass in groups of four with a space between them: "Kx7m #pT2". */
export function passGroups(pass: string): string {
  return (pass.match(new RegExp(`.{1,${GROUP}}`, 'gsu')) ?? []).join(' ');
}

/**
 * The pass as it is read out on a call, each character named so it cannot be misheard: case said
 * for letters, symbols by name, groups split by " / " ("capital K, small x, 7, small m / hash, …").
 */
export function passSpelled(pass: string): string {
  return passGroups(pass)
    .split(' ')
    .map((group) => [...group].map(spoken).join(', '))
    .join(' / ');
}

function spoken(c: string): string {
  if (/\p{Lu}/u.test(c)) return t('capital ${letter}', { letter: c });
  if (/\p{Ll}/u.test(c)) return t('small ${letter}', { letter: c });
  const name = symbolName(c);
  return name ?? c;
}

/** The symbols a pass may hold (the emulator's alphabet, src/emulator/graph-emulator.ts); any other is shown as it is. */
function symbolName(c: string): string | undefined {
  switch (c) {
    case '+':
      return t('plus');
    case '=':
      return t('equals');
    case '!':
      return t('exclamation mark');
    case '@':
      return t('at sign');
    case '#':
      return t('hash');
    case '%':
      return t('percent');
    case '&':
      return t('ampersand');
    case '*':
      return t('asterisk');
    case '-':
      return t('hyphen');
    case '_':
      return t('underscore');
    case '.':
      return t('full stop');
    default:
      return undefined;
  }
}
