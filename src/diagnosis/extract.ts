/**
 * Pulls the useful identifiers out of whatever a user pastes: a whole error page, the JSON an app
 * logged, or OCR text of a screenshot (lower case, stray spaces, the letter O read for a zero).
 */

export interface ExtractedDetails {
  /** Normalised ("AADSTS55200"), in order of first appearance, without repeats. */
  codes: string[];
  correlationId?: string;
  requestId?: string;
  /** ISO 8601 in UTC, e.g. 2025-12-10T10:11:12Z. */
  timestamp?: string;
  /** True when the input was longer than MAX_EXTRACT_CHARS and only its start was read. */
  truncated: boolean;
}

/** An error page is a few thousand characters; anything longer is pasted noise. */
export const MAX_EXTRACT_CHARS = 20_000;

// OCR turns zeros into the letter O; the first digit must be a real digit so words don't match.
const digits = (min: number, max: number) => `([0-9][0-9oO]{${min - 1},${max - 1}})(?![0-9oO])`;
const PREFIXED_CODE = new RegExp(`aadsts[ \\t:#-]{0,3}${digits(4, 7)}`, 'gi');
// The sign-in page's "Troubleshooting details" and the JSON error body ("error_codes": [55200])
// give the number without the prefix; five digits at least, so stray numbers are less likely.
const LABELLED_CODE = new RegExp(`error[ \\t_-]?codes?["' \\t]*[:=][ \\t"'[]*${digits(5, 7)}`, 'gi');

const GUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const LABEL_GAP = '[ \\t_-]?id[ \\t"\']*[:=]?[ \\t"\']*';
const CORRELATION_ID = new RegExp(`correlation${LABEL_GAP}${GUID}`, 'i');
// The JSON error body calls the request id trace_id.
const REQUEST_ID = new RegExp(`(?:request|trace)${LABEL_GAP}${GUID}`, 'i');
const TIMESTAMP = /timestamp[ \t"']*[:=]?[ \t"']*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?/i;

const normaliseDigits = (raw: string): string => raw.replace(/o/gi, '0');

function findCodes(text: string): string[] {
  const found: Array<{ at: number; code: string }> = [];
  for (const pattern of [PREFIXED_CODE, LABELLED_CODE]) {
    for (const match of text.matchAll(pattern)) {
      found.push({ at: match.index, code: `AADSTS${normaliseDigits(match[1]!)}` });
    }
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.code))];
}

function findTimestamp(text: string): string | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}Z`;
  // Reject impossible dates such as month 13 rather than echo them.
  const parsed = new Date(iso);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 19) !== iso.slice(0, 19) ? undefined : iso;
}

/** Never throws; reads at most MAX_EXTRACT_CHARS characters. */
export function extractErrorDetails(text: string): ExtractedDetails {
  const input = typeof text === 'string' ? text : '';
  const truncated = input.length > MAX_EXTRACT_CHARS;
  const window = truncated ? input.slice(0, MAX_EXTRACT_CHARS) : input;

  const details: ExtractedDetails = { codes: findCodes(window), truncated };
  const correlationId = CORRELATION_ID.exec(window)?.[1];
  if (correlationId) details.correlationId = correlationId.toLowerCase();
  const requestId = REQUEST_ID.exec(window)?.[1];
  if (requestId) details.requestId = requestId.toLowerCase();
  const timestamp = findTimestamp(window);
  if (timestamp) details.timestamp = timestamp;
  return details;
}
