import type { RecoveryProfile } from '../eligibility/facts.js';
import { type NameMatchLevel, namesMatch } from '../eligibility/names.js';

/*
 * The claim rules, pure: does what a person presented match the organisation's record for them?
 * Used by the claim validation extension (issue 30) and by caller verification (issue 27).
 *
 * Claim keys are matched case-insensitively, as Microsoft's sample matches claim keys against its
 * data source's column headers ("Verify the Excel column headers or HR API response match the claim
 * keys exactly (case-insensitive)": MicrosoftDocs/entra-docs
 * docs/identity-platform/tutorial-custom-authentication-extension-account-recovery.md, Troubleshoot).
 * A verdict names failed claims, never their values.
 */

/** How first and last names are compared: the identity verification profile's match confidence level. */
export type MatchLevel = NameMatchLevel;

/** The organisation's record for one person; claim keys lower-cased. */
export interface ClaimRecord {
  userPrincipalName: string;
  firstName?: string;
  lastName?: string;
  employeeId?: string;
  /** Every other column, by lower-cased claim key (dateofbirth, documentid, ...). */
  claims: Record<string, string>;
}

/**
 * The level names are compared at for a callout: the bindings' matchConfidenceLevel of the enabled
 * profiles whose claimValidation calls an extension (Graph v1.0 verifiedIdProfileConfiguration,
 * claimBinding). Relaxed only when every such profile says relaxed; otherwise exact, the stricter.
 */
export function matchLevelOfCallingProfiles(profiles: RecoveryProfile[]): MatchLevel {
  const calling = profiles.filter((profile) => profile.state !== 'disabled' && profile.claimValidation?.enabled);
  return calling.length > 0 && calling.every((profile) => profile.matchLevel === 'relaxed') ? 'relaxed' : 'exact';
}

export interface ClaimRules {
  /** Claim keys that must be presented and match the record, besides first and last name. */
  requiredClaims: string[];
  matchLevel: MatchLevel;
}

/** What was presented: Verified ID's claims, and the employee id Entra adds as additional info. */
export interface PresentedClaims {
  claims: Record<string, unknown>;
  employeeId?: string;
}

export type ClaimVerdict =
  | { pass: true }
  /** `failedClaims` holds claim keys only; `reason` says why in words that carry no claim value. */
  | { pass: false; failedClaims: string[]; reason: string };

export const FIRST_NAME = 'firstName';
export const LAST_NAME = 'lastName';

/** Does every claim the rules require match the record? Names by the match level, the rest as values. */
export function validateClaims(record: ClaimRecord, presented: PresentedClaims, rules: ClaimRules): ClaimVerdict {
  const given = lowerKeys(presented.claims);
  const failed: string[] = [];
  const why: string[] = [];
  // Names as Entra compares them at the profile's match level: the one reading in eligibility/names.ts.
  const shownNames = { firstName: given.get(FIRST_NAME.toLowerCase()), lastName: given.get(LAST_NAME.toLowerCase()) };
  const names = namesMatch(
    rules.matchLevel,
    { givenName: record.firstName, surname: record.lastName },
    {
      firstName: typeof shownNames.firstName === 'string' ? shownNames.firstName : undefined,
      lastName: typeof shownNames.lastName === 'string' ? shownNames.lastName : undefined,
    },
  );
  const nameChecks: Array<[string, string | undefined, unknown, boolean]> = [
    [FIRST_NAME, record.firstName, shownNames.firstName, names.first],
    [LAST_NAME, record.lastName, shownNames.lastName, names.last],
  ];
  const judge = (key: string, onRecord: string | undefined, shown: unknown, matches: () => boolean, how = '') => {
    const problem =
      onRecord === undefined || onRecord.trim() === ''
        ? `the record has no ${key}`
        : shown === undefined
          ? `${key} was not presented`
          : matches()
            ? undefined
            : `${key} does not match the record${how}`;
    if (problem) {
      failed.push(key);
      why.push(problem);
    }
  };
  for (const [key, onRecord, shown, matches] of nameChecks)
    judge(key, onRecord, shown, () => typeof shown === 'string' && matches, ` (${rules.matchLevel} matching)`);
  for (const key of rules.requiredClaims) {
    const lower = key.toLowerCase();
    if (lower === FIRST_NAME.toLowerCase() || lower === LAST_NAME.toLowerCase()) continue;
    const onRecord = lower === 'employeeid' ? record.employeeId : record.claims[lower];
    const shown = given.get(lower) ?? (lower === 'employeeid' ? presented.employeeId : undefined);
    judge(key, onRecord, shown, () => valuesMatch(shown, onRecord ?? ''));
  }
  // An employee id Entra sends must belong to this record, required or not: it names the person.
  if (
    presented.employeeId !== undefined &&
    record.employeeId &&
    !failed.includes('employeeId') &&
    !valuesMatch(presented.employeeId, record.employeeId)
  ) {
    failed.push('employeeId');
    why.push('employeeId does not match the record');
  }
  return failed.length === 0 ? { pass: true } : { pass: false, failedClaims: failed, reason: why.join('; ') };
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Claim values: case-insensitive and whitespace-collapsed; ISO dates by their calendar day, so
 * 1990-01-15 and 1990-1-15T00:00:00Z are the same date of birth.
 */
export function valuesMatch(presented: unknown, onRecord: string): boolean {
  if (typeof presented !== 'string' && typeof presented !== 'number') return false;
  const a = canonicalValue(String(presented));
  return a !== '' && a === canonicalValue(onRecord);
}

function canonicalValue(value: string): string {
  const trimmed = value.trim();
  const date = ISO_DATE.exec(trimmed);
  if (date) {
    const [, year, month = '', day = ''] = date;
    return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  }
  return trimmed.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ');
}

function lowerKeys(claims: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(claims).map(([key, value]) => [key.toLowerCase(), value]));
}
