import { readFileSync } from 'node:fs';
import { REQUIREMENT_IDS, RESULT_REASONS, type RequirementId, type ResultReason } from '../eligibility/requirements.js';

/**
 * The diagnosis catalogue: error codes and symptoms, their likely causes and fixes. It is data
 * (catalogue.json) so a helpdesk can extend it without code changes; `loadCatalogue` checks it
 * strictly at start-up so a typo fails loudly instead of silently hiding an entry.
 */

export type { RequirementId };

export const FIXERS = ['user', 'helpdesk', 'admin'] as const;
export type WhoCanFix = (typeof FIXERS)[number];

/** Real AADSTS codes run from 4 to 7 digits (e.g. AADSTS7000215). */
export const AADSTS_CODE = /^AADSTS\d{4,7}$/;

/**
 * A cause is normally confirmed when one of its checks fails. `confirmedBy` replaces that rule
 * when another status confirms it, e.g. "added to the group too recently" is an E2 warning with
 * the reason `recently-added`.
 */
export interface CauseConfirmation {
  check: RequirementId;
  status: 'warn' | 'fail';
  /** Confirms only if the check's result carries this reason code (eligibility/requirements.ts). */
  reason?: ResultReason;
}

export interface Cause {
  id: string;
  text: string;
  /** Requirements whose live result bears on this cause. */
  checks: RequirementId[];
  confirmedBy?: CauseConfirmation;
  fix: string;
  whoCanFix: WhoCanFix;
}

interface EntryBase {
  id: string;
  title: string;
  /** What it means, for a non-technical reader. */
  meaning: string;
  /** Most likely first. */
  causes: Cause[];
  nextStep: string;
  /** Where the meaning comes from. */
  source?: string;
}

export interface CodeEntry extends EntryBase {
  kind: 'code';
  code: string;
}

export interface SymptomEntry extends EntryBase {
  kind: 'symptom';
  /** Shown on the symptom picker card. */
  label: string;
}

export type CatalogueEntry = CodeEntry | SymptomEntry;

export interface Catalogue {
  entries: CatalogueEntry[];
}

export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

const ENTRY_ID = /^[a-z0-9][a-z0-9-]*$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates where one entry's error messages point: `catalogue entry "x": field "causes[0].fix" ...`. */
class EntryReader {
  constructor(private readonly label: string) {}

  fail(field: string, problem: string): never {
    throw new CatalogueError(`catalogue ${this.label}: field "${field}" ${problem}`);
  }

  onlyFields(object: Json, allowed: readonly string[], prefix = ''): void {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) this.fail(prefix + key, `is not a known field (allowed: ${allowed.join(', ')})`);
    }
  }

  text(object: Json, field: string, prefix = ''): string {
    const value = object[field];
    if (typeof value !== 'string' || value.trim() === '') this.fail(prefix + field, 'must be a non-empty string');
    return value;
  }

  optionalText(object: Json, field: string, prefix = ''): string | undefined {
    return object[field] === undefined ? undefined : this.text(object, field, prefix);
  }

  oneOf<T extends string>(object: Json, field: string, allowed: readonly T[], prefix = ''): T {
    const value = object[field];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(prefix + field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  requirementIds(object: Json, field: string, prefix: string): RequirementId[] {
    const value = object[field];
    if (!Array.isArray(value)) this.fail(prefix + field, 'must be a list of requirement ids (E1 to E10)');
    return value.map((id, index) => {
      if (!(REQUIREMENT_IDS as readonly unknown[]).includes(id)) {
        this.fail(`${prefix}${field}[${index}]`, `must be a requirement id E1 to E10, got ${JSON.stringify(id)}`);
      }
      return id as RequirementId;
    });
  }
}

const ENTRY_FIELDS = ['id', 'kind', 'code', 'label', 'title', 'meaning', 'causes', 'nextStep', 'source'];
const CAUSE_FIELDS = ['id', 'text', 'checks', 'confirmedBy', 'fix', 'whoCanFix'];
const CONFIRMATION_FIELDS = ['check', 'status', 'reason'];

function readConfirmation(
  reader: EntryReader,
  value: unknown,
  prefix: string,
  checks: RequirementId[],
): CauseConfirmation {
  if (!isObject(value)) reader.fail(prefix.slice(0, -1), 'must be an object { check, status, reason? }');
  reader.onlyFields(value, CONFIRMATION_FIELDS, prefix);
  const check = reader.oneOf(value, 'check', REQUIREMENT_IDS, prefix);
  if (!checks.includes(check))
    reader.fail(`${prefix}check`, `must be one of the cause's checks (${checks.join(', ') || 'none'})`);
  const status = reader.oneOf(value, 'status', ['warn', 'fail'] as const, prefix);
  if (value.reason === undefined) return { check, status };
  return { check, status, reason: reader.oneOf(value, 'reason', RESULT_REASONS, prefix) };
}

function readCause(reader: EntryReader, value: unknown, index: number): Cause {
  const prefix = `causes[${index}].`;
  if (!isObject(value)) reader.fail(`causes[${index}]`, 'must be an object');
  reader.onlyFields(value, CAUSE_FIELDS, prefix);
  const id = reader.text(value, 'id', prefix);
  if (!ENTRY_ID.test(id)) reader.fail(`${prefix}id`, 'must be lower-case letters, digits and dashes');
  const checks = reader.requirementIds(value, 'checks', prefix);
  const cause: Cause = {
    id,
    text: reader.text(value, 'text', prefix),
    checks,
    fix: reader.text(value, 'fix', prefix),
    whoCanFix: reader.oneOf(value, 'whoCanFix', FIXERS, prefix),
  };
  if (value.confirmedBy !== undefined)
    cause.confirmedBy = readConfirmation(reader, value.confirmedBy, `${prefix}confirmedBy.`, checks);
  return cause;
}

function readEntry(value: unknown, index: number): CatalogueEntry {
  const idForLabel = isObject(value) && typeof value.id === 'string' ? value.id : undefined;
  // Annotated so TypeScript treats reader.fail() as ending the flow when narrowing `value`.
  const reader: EntryReader = new EntryReader(
    idForLabel ? `entry "${idForLabel}" (#${index + 1})` : `entry #${index + 1}`,
  );
  if (!isObject(value)) reader.fail('(entry)', 'must be an object');
  reader.onlyFields(value, ENTRY_FIELDS);

  const id = reader.text(value, 'id');
  if (!ENTRY_ID.test(id)) reader.fail('id', 'must be lower-case letters, digits and dashes');
  const kind = reader.oneOf(value, 'kind', ['code', 'symptom'] as const);

  if (!Array.isArray(value.causes) || value.causes.length === 0) reader.fail('causes', 'must be a non-empty list');
  const causes = value.causes.map((cause, causeIndex) => readCause(reader, cause, causeIndex));
  const seenCauseIds = new Set<string>();
  causes.forEach((cause, causeIndex) => {
    if (seenCauseIds.has(cause.id)) reader.fail(`causes[${causeIndex}].id`, `repeats cause id "${cause.id}"`);
    seenCauseIds.add(cause.id);
  });

  const base: EntryBase = {
    id,
    title: reader.text(value, 'title'),
    meaning: reader.text(value, 'meaning'),
    causes,
    nextStep: reader.text(value, 'nextStep'),
  };
  const source = reader.optionalText(value, 'source');
  if (source !== undefined) base.source = source;

  if (kind === 'code') {
    if (value.label !== undefined) reader.fail('label', 'belongs to symptoms only; a code entry has "code"');
    const code = reader.text(value, 'code');
    if (!AADSTS_CODE.test(code))
      reader.fail('code', `must look like AADSTS55200 (AADSTS and 4 to 7 digits), got ${JSON.stringify(code)}`);
    return { ...base, kind, code };
  }
  if (value.code !== undefined) reader.fail('code', 'belongs to code entries only; a symptom has "label"');
  return { ...base, kind, label: reader.text(value, 'label') };
}

/** Validates the catalogue's shape strictly; throws a CatalogueError naming the entry and field. */
export function loadCatalogue(json: unknown): Catalogue {
  if (!isObject(json)) throw new CatalogueError('catalogue: must be an object { "entries": [...] }');
  for (const key of Object.keys(json)) {
    if (key !== 'entries')
      throw new CatalogueError(`catalogue: field "${key}" is not a known field (allowed: entries)`);
  }
  if (!Array.isArray(json.entries)) throw new CatalogueError('catalogue: field "entries" must be a list');

  const entries = json.entries.map(readEntry);
  const seenIds = new Map<string, number>();
  const seenCodes = new Map<string, string>();
  entries.forEach((entry, index) => {
    const label = `catalogue entry "${entry.id}" (#${index + 1})`;
    const earlier = seenIds.get(entry.id);
    if (earlier !== undefined) throw new CatalogueError(`${label}: field "id" duplicates entry #${earlier + 1}`);
    seenIds.set(entry.id, index);
    if (entry.kind === 'code') {
      const holder = seenCodes.get(entry.code);
      if (holder !== undefined)
        throw new CatalogueError(`${label}: field "code" ${entry.code} is already used by entry "${holder}"`);
      seenCodes.set(entry.code, entry.id);
    }
  });
  return { entries };
}

/** The catalogue shipped with the bot. */
export function defaultCatalogue(): Catalogue {
  return loadCatalogue(JSON.parse(readFileSync(new URL('./catalogue.json', import.meta.url), 'utf8')));
}
