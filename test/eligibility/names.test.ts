import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { areNameTwins, missingNameFields, nameKey, nameWarnings, normaliseName } from '../../src/eligibility/names.js';
import { baselineUser } from './snapshot-builder.js';

const warningsFor = (patch: Parameters<typeof baselineUser>[0]) => nameWarnings(baselineUser(patch));

describe('normaliseName', () => {
  it.each([
    ['  José   María ', 'jose maria'],
    ['MÜLLER', 'muller'],
    ['Strauß', 'strauss'],
    ['Ёлкина', 'елкина'],
    ['ΟΔΥΣΣΕΑΣ', 'οδυσσεασ'],
    ['مُحَمَّد', 'محمد'],
    ['O’Brien', "o'brien"],
    ['田中　さくら', '田中 さくら'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normaliseName(input)).toBe(expected);
  });

  it('keeps Japanese voicing marks: Sato and Sado are different names', () => {
    expect(normaliseName('さとう')).not.toBe(normaliseName('さどう'));
    expect(normaliseName('ガ')).toBe('ガ');
  });

  it('keeps Indic vowel signs, which are letters rather than accents', () => {
    expect(normaliseName('कुमार')).toBe('कुमार');
  });

  it('is idempotent for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => normaliseName(normaliseName(s)) === normaliseName(s)),
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => normaliseName(normaliseName(s)) === normaliseName(s)));
  });

  it('ignores case', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(normaliseName(s.toUpperCase())).toBe(normaliseName(s.toLowerCase()));
      }),
    );
  });

  it('ignores accents on Latin letters', () => {
    const accents = ['\u0301', '\u0300', '\u0308', '\u0302', '\u0303', '\u030C', '\u0327'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), fc.option(fc.constantFrom(...accents))), {
          minLength: 1,
        }),
        (letters) => {
          const plain = letters.map(([letter]) => letter).join('');
          const accented = letters
            .map(([letter, accent]) => letter + (accent ?? ''))
            .join('')
            .normalize('NFC');
          expect(normaliseName(accented)).toBe(normaliseName(plain));
        },
      ),
    );
  });

  it('ignores how much whitespace separates and surrounds the words', () => {
    const word = fc.string({ unit: 'grapheme', minLength: 1 }).filter((w) => !/\s/u.test(w));
    const space = fc.constantFrom(' ', '  ', '\t', '\u00A0', '\u3000', ' \n ');
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        space,
        space,
        space,
        (words, lead, between, trail) => {
          expect(normaliseName(lead + words.join(between) + trail)).toBe(normaliseName(words.join(' ')));
        },
      ),
    );
  });
});

describe('name twins (E5)', () => {
  it('names differing only by accents and case are twins', () => {
    const accentable: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ö', u: 'ü', n: 'ñ', c: 'ç', s: 'š' };
    const name = fc.stringMatching(/^[a-z]{1,12}$/);
    const variant = (base: string, flips: boolean[]) =>
      [...base]
        .map((ch, i) => {
          const accented = flips[i] ? (accentable[ch] ?? ch) : ch;
          return flips[(i + 1) % flips.length] ? accented.toUpperCase() : accented;
        })
        .join('');
    fc.assert(
      fc.property(name, name, fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), (given, surname, flips) => {
        const twin = { givenName: variant(given, flips), surname: variant(surname, flips.slice().reverse()) };
        expect(areNameTwins({ givenName: given, surname }, twin)).toBe(true);
      }),
    );
  });

  it('moving a word between first and last name makes a different person', () => {
    expect(areNameTwins({ givenName: 'Mary Ann', surname: 'Smith' }, { givenName: 'Mary', surname: 'Ann Smith' })).toBe(
      false,
    );
  });

  it('users without both names are nobody’s twin', () => {
    expect(nameKey({ givenName: 'Jon', surname: '  ' })).toBeUndefined();
    expect(areNameTwins({ givenName: 'Jon', surname: null }, { givenName: 'Jon', surname: null })).toBe(false);
  });
});

describe('nameWarnings (E4)', () => {
  it('clean names raise nothing', () => {
    expect(warningsFor({})).toEqual([]);
  });

  it('an empty or whitespace-only name is reported as missing', () => {
    const user = baselineUser({ givenName: ' ', surname: null });
    expect(missingNameFields(user)).toEqual(['First name', 'Last name']);
    expect(nameWarnings(user)).toEqual(['First name is empty.', 'Last name is empty.']);
  });

  it.each([['J.'], ['J'], ['Jonathan R.']])('flags the initial in first name %s', (givenName) => {
    expect(warningsFor({ givenName, displayName: null }).join(' ')).toMatch(/initial/);
  });

  it('does not take a single Han character for an initial', () => {
    expect(warningsFor({ givenName: '伟', surname: '王', displayName: '王伟' })).toEqual([]);
  });

  it.each([
    ['Jon', 'Jonathan'],
    ['Bob', 'Robert'],
    ['Bill', 'William'],
    ['Liz', 'Elizabeth'],
    ['Mike', 'Michael'],
    ['alex', 'Alexander'],
  ])('flags %s as likely short for %s, without claiming it is wrong', (givenName, full) => {
    const warning = warningsFor({ givenName, displayName: null }).join(' ');
    expect(warning).toContain(full);
    expect(warning).toMatch(/likely/);
  });

  it.each([
    { givenName: 'Dr. Jonathan' },
    { givenName: 'Mrs Jane' },
    { givenName: 'Prof Jonathan' },
    { surname: 'Doe Jr.' },
    { surname: 'Doe III' },
    { surname: 'Doe, Sr' },
  ])('flags the title or suffix in %o', (patch) => {
    expect(warningsFor({ ...patch, displayName: null }).join(' ')).toMatch(/title or suffix/);
  });

  it('flags a middle name packed into the first name', () => {
    expect(warningsFor({ givenName: 'Jonathan Robert', displayName: null }).join(' ')).toMatch(/2 words.*middle name/);
  });

  it.each(['Jonathan Doe', 'Doe Jonathan', 'Doe, Jonathan', 'JONATHAN  DOE', 'Jónathan Doe'])(
    'accepts the display name %s',
    (displayName) => {
      expect(warningsFor({ displayName })).toEqual([]);
    },
  );

  it('accepts family-name-first display names in any script', () => {
    expect(warningsFor({ givenName: 'Sakura', surname: 'Tanaka', displayName: 'Tanaka Sakura' })).toEqual([]);
    expect(warningsFor({ givenName: 'さくら', surname: '田中', displayName: '田中さくら' })).toEqual([]);
    expect(warningsFor({ givenName: 'Анна', surname: 'Иванова', displayName: 'Иванова Анна' })).toEqual([]);
  });

  it('flags a display name that disagrees with first + last name', () => {
    expect(warningsFor({ displayName: 'Jon Smith' }).join(' ')).toMatch(/Display name "Jon Smith" disagrees/);
  });
});
