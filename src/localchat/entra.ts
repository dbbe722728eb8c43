import { readFile } from 'node:fs/promises';
import { normaliseName } from '../eligibility/names.js';
import type { EntraLoginEmulator } from '../emulator/entra-login.js';
import type { ClaimRecord } from '../recovery-extension/claims.js';
import { recordsFromCsv } from '../recovery-extension/claims-source.js';
import { CLAIM_VALIDATION_PATH } from '../recovery-extension/route.js';

/**
 * "Play Entra" on the local chat page: pick a demo person and a scenario, and Entra's callout goes
 * to the bot's claim validation extension, signed by the emulator. The claims are built here from
 * the demo records; the page only ever sees the person, the scenario and Entra's answer.
 */
export interface EntraPlayer {
  emulator: EntraLoginEmulator;
  audience: string;
  /** The demo organisation's records (a CSV file as RECOVERY_CLAIMS_SOURCE reads it). */
  recordsPath: string;
}

export const SCENARIOS = {
  'right-claims': 'Their own ID',
  'wrong-date': 'A wrong date of birth',
  namesake: "Their namesake's ID",
} as const;
export type Scenario = keyof typeof SCENARIOS;

export interface EntraAnswer {
  status: number;
  outcome?: 'pass' | 'failed';
  failedClaims?: string[];
  correlationId: string;
}

async function records(path: string): Promise<ClaimRecord[]> {
  const parsed = recordsFromCsv(await readFile(path, 'utf8'));
  if ('problem' in parsed) throw new Error(`The demo records cannot be read: ${parsed.problem}`);
  return [...parsed.records.values()].flat();
}

const nameOf = (record: ClaimRecord) =>
  `${normaliseName(record.firstName ?? '')} ${normaliseName(record.lastName ?? '')}`;

/** Another person on record with the same name (accents folded), if any. */
function namesakeOf(record: ClaimRecord, all: ClaimRecord[]): ClaimRecord | undefined {
  return all.find((other) => other.userPrincipalName !== record.userPrincipalName && nameOf(other) === nameOf(record));
}

/** Who can be played, and which scenarios fit each (a namesake needs one). */
export async function entraPeople(player: EntraPlayer) {
  const all = await records(player.recordsPath);
  return {
    scenarios: Object.entries(SCENARIOS).map(([id, label]) => ({ id, label })),
    people: all.map((record) => ({
      userPrincipalName: record.userPrincipalName,
      name: `${record.firstName ?? ''} ${record.lastName ?? ''}`.trim(),
      hasNamesake: namesakeOf(record, all) !== undefined,
    })),
  };
}

function claimsOf(record: ClaimRecord): Record<string, string> {
  return {
    firstName: record.firstName ?? '',
    lastName: record.lastName ?? '',
    ...(record.claims.dateofbirth && { dateOfBirth: record.claims.dateofbirth }),
    ...(record.claims.documenttype && { documentType: record.claims.documenttype }),
    ...(record.claims.documentid && { documentId: record.claims.documentid }),
  };
}

function dayAfter(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** Sends the callout Entra would send for this person and scenario; returns Entra's reading of the answer. */
export async function playEntra(
  player: EntraPlayer,
  botUrl: string,
  userPrincipalName: string,
  scenario: Scenario,
): Promise<EntraAnswer | { problem: string }> {
  const all = await records(player.recordsPath);
  const record = all.find((r) => r.userPrincipalName === userPrincipalName.toLowerCase());
  if (!record) return { problem: 'That person has no demo record' };
  let claims = claimsOf(record);
  if (scenario === 'wrong-date' && claims.dateOfBirth)
    claims = { ...claims, dateOfBirth: dayAfter(claims.dateOfBirth) };
  if (scenario === 'namesake') {
    const namesake = namesakeOf(record, all);
    if (!namesake) return { problem: 'That person has no namesake in the demo records' };
    claims = claimsOf(namesake);
  }
  const answer = await player.emulator.sendCallout(`${botUrl}${CLAIM_VALIDATION_PATH}`, player.audience, {
    userPrincipalName: record.userPrincipalName,
    claims,
    ...(record.employeeId && scenario !== 'namesake' && { employeeId: record.employeeId }),
  });
  const action = answer.body?.data?.actions?.[0];
  const type: string = action?.['@odata.type'] ?? '';
  return {
    status: answer.status,
    correlationId: answer.correlationId,
    ...(type.endsWith('.pass') && { outcome: 'pass' as const }),
    ...(type.endsWith('.failed') && { outcome: 'failed' as const, failedClaims: action.failedClaims }),
  };
}
