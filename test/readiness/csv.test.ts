import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Eligibility } from '../../src/eligibility/rules.js';
import { csvCell, csvLine, csvRow, parseCsv } from '../../src/readiness/csv.js';

describe('the readiness CSV', () => {
  it.each(['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])(
    'defuses a directory value a spreadsheet would run as a formula: %j',
    (value) => {
      const [cell] = parseCsv(csvLine([value]))[0]!;
      expect(cell).toBe(`'${value}`);
    },
  );

  it('leaves ordinary names alone, apostrophes and accents included', () => {
    expect(csvCell("Siobhán O'Brien")).toBe("Siobhán O'Brien");
    expect(csvCell('Anne-Marie')).toBe('Anne-Marie');
  });

  it('quotes commas, quotes and line breaks as RFC 4180 says', () => {
    expect(csvCell('Doe, Jon')).toBe('"Doe, Jon"');
    expect(csvCell('The "Boss"')).toBe('"The ""Boss"""');
    expect(csvLine(['a\nb', 'c'])).toBe('"a\nb",c\r\n');
  });

  it('reads back every value it writes, apart from the defusing apostrophe', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (cells) => {
        const [row] = parseCsv(csvLine(cells));
        expect(row).toEqual(cells.map((cell) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell)));
      }),
    );
  });

  it('writes a member row with each requirement and every fix that applies', () => {
    const eligibility = {
      verdict: 'fail',
      results: [
        { id: 'E3', title: '', status: 'fail', evidence: '', fix: 'Helpdesk: escalate.' },
        { id: 'E10', title: '', status: 'warn', evidence: '', fix: 'User: use SSPR.' },
      ],
    } as unknown as Eligibility;
    const [row] = parseCsv(
      csvRow({ userPrincipalName: 'a@b.c', givenName: '=cmd', surname: null, displayName: 'A' }, eligibility),
    );
    expect(row).toEqual([
      'a@b.c',
      "'=cmd",
      '',
      'A',
      'fail',
      '',
      '',
      'fail',
      '',
      '',
      '',
      '',
      '',
      '',
      'warn',
      '',
      '',
      'E3: Helpdesk: escalate. | E10: User: use SSPR.',
    ]);
  });
});
