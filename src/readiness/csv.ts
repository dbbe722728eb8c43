import type * as Graph from '@microsoft/microsoft-graph-types';
import { REQUIREMENTS, type RequirementId } from '../eligibility/requirements.js';
import type { Eligibility } from '../eligibility/rules.js';
import { REQUIREMENT_IDS } from './report.js';

/*
 * The report's CSV: one row per member (RFC 4180: comma-separated, CRLF line ends, fields quoted
 * when they hold a comma, quote or line break, quotes doubled). Names come from the directory, so a
 * cell that a spreadsheet would run as a formula is defused with a leading apostrophe. The file
 * starts with a UTF-8 byte-order mark: without it Excel reads the file in the machine's legacy code
 * page and garbles accented and non-Latin names.
 */

/** Excel opens a CSV as UTF-8 only when the file starts with this. */
export const BYTE_ORDER_MARK = '\uFEFF';

/** A requirement's column, in words a manager reads: "E3 Has signed in successfully before". */
export const requirementColumn = (id: RequirementId) => `${id} ${REQUIREMENTS[id].title}`;

export const CSV_HEADER = [
  'Sign-in name (UPN)',
  'First name',
  'Last name',
  'Display name',
  'Verdict (pass or warn: ready; fail or unknown: not ready)',
  ...REQUIREMENT_IDS.map(requirementColumn),
  'What to fix',
];

/** The first bytes of the file: the byte-order mark and the header. */
export const csvStart = () => BYTE_ORDER_MARK + csvLine(CSV_HEADER);

// Tab and carriage return also start formulas in some spreadsheets (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: defused against formula injection, then quoted per RFC 4180 when needed. */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: Array<string | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The member's row: names as stored, each requirement's status, and every fix that applies. */
export function csvRow(user: Graph.User, eligibility: Eligibility): string {
  const status = new Map(eligibility.results.map((result) => [result.id, result.status]));
  const fixes = eligibility.results
    .filter((result) => result.status !== 'pass' && result.fix)
    .map((result) => `${result.id}: ${result.fix}`);
  return csvLine([
    user.userPrincipalName,
    user.givenName,
    user.surname,
    user.displayName,
    eligibility.verdict,
    ...REQUIREMENT_IDS.map((id) => status.get(id) ?? ''),
    fixes.join(' | '),
  ]);
}

/** Splits CSV text back into rows of cells (RFC 4180); for tests and tools reading the report. */
export function parseCsv(csv: string): string[][] {
  const text = csv.startsWith(BYTE_ORDER_MARK) ? csv.slice(1) : csv;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
