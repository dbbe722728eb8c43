import type { Catalogue, CatalogueEntry, Cause } from './catalogue.js';
import { type ExtractedDetails, extractErrorDetails } from './extract.js';

/**
 * The live eligibility result for one requirement, as far as diagnosis needs it. Structural on
 * purpose: diagnosis reads the eligibility rules' output by requirement id and nothing more.
 */
export interface LiveResult {
  id: string;
  status: string;
  evidence?: string;
  /** Reason codes (eligibility/requirements.ts `RESULT_REASONS`). */
  reasons?: readonly string[];
}

/** true: a live check confirms it; false: live checks rule it out; 'unknown': nothing decides it. */
export type Finding = boolean | 'unknown';

export interface DiagnosedCause {
  cause: Cause;
  found: Finding;
}

export interface DiagnosedEntry {
  entry: CatalogueEntry;
  /** Confirmed causes first, then undecided, then ruled out; catalogue order within each. */
  causes: DiagnosedCause[];
}

export interface Diagnosis {
  matched: DiagnosedEntry[];
  /** Codes found in the text that the catalogue does not know, for an honest "not in my catalogue". */
  unknownCodes: string[];
  details: ExtractedDetails;
}

export interface DiagnosisInput {
  /** Whatever the user pasted: an error message, a page, OCR text. */
  text?: string;
  /** An entry id picked on the symptom card. */
  symptomId?: string;
}

function findingFor(cause: Cause, results: ReadonlyMap<string, LiveResult> | undefined): Finding {
  if (!results) return 'unknown';

  if (cause.confirmedBy) {
    const { check, status, reason } = cause.confirmedBy;
    const result = results.get(check);
    if (!result || result.status === 'unknown') return 'unknown';
    if (result.status !== status) return false;
    // The right status for another reason (e.g. a nested-membership warning) neither confirms nor rules out.
    return reason === undefined || result.reasons?.includes(reason) ? true : 'unknown';
  }

  if (cause.checks.length === 0) return 'unknown';
  const statuses = cause.checks.map((id) => results.get(id)?.status ?? 'unknown');
  if (statuses.includes('fail')) return true;
  // A warning means "possibly": not confirmed, not ruled out.
  return statuses.every((status) => status === 'pass') ? false : 'unknown';
}

const rank = (found: Finding): number => (found === true ? 0 : found === 'unknown' ? 1 : 2);

function diagnoseEntry(entry: CatalogueEntry, results: ReadonlyMap<string, LiveResult> | undefined): DiagnosedEntry {
  const causes = entry.causes.map((cause) => ({ cause, found: findingFor(cause, results) }));
  // Array.prototype.sort is stable, so catalogue order survives within each rank.
  causes.sort((a, b) => rank(a.found) - rank(b.found));
  return { entry, causes };
}

/**
 * Matches pasted text (error codes) and a picked symptom against the catalogue and, given the
 * user's live eligibility results, marks which causes the checks confirm or rule out.
 */
export function diagnose(catalogue: Catalogue, input: DiagnosisInput, liveResults?: LiveResult[]): Diagnosis {
  const details = extractErrorDetails(input.text ?? '');
  const results = liveResults && new Map(liveResults.map((result) => [result.id, result]));

  const matchedEntries: CatalogueEntry[] = [];
  const unknownCodes: string[] = [];
  const add = (entry: CatalogueEntry) => {
    if (!matchedEntries.includes(entry)) matchedEntries.push(entry);
  };

  if (input.symptomId !== undefined) {
    const picked = catalogue.entries.find((entry) => entry.id === input.symptomId);
    if (picked) add(picked);
  }
  for (const code of details.codes) {
    const entry = catalogue.entries.find((candidate) => candidate.kind === 'code' && candidate.code === code);
    if (entry) add(entry);
    else unknownCodes.push(code);
  }

  return { matched: matchedEntries.map((entry) => diagnoseEntry(entry, results)), unknownCodes, details };
}
