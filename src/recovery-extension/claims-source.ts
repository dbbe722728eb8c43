import { readFile, stat } from 'node:fs/promises';
import type { ClaimsSourceConfig } from '../config.js';
import {
  type ClaimRecord,
  type ClaimRules,
  type ClaimVerdict,
  type PresentedClaims,
  validateClaims,
} from './claims.js';
import { parseCsv } from './csv.js';

/**
 * The organisation's records, as RECOVERY_CLAIMS_SOURCE names them: a CSV file (the columns of
 * Microsoft's sample data source) or an HR API with the contract of Microsoft's tutorial
 * (MicrosoftDocs/entra-docs docs/identity-platform/tutorial-custom-authentication-extension-account-recovery.md,
 * "Switch to production: use the HR API provider"). Shared by the claim validation extension and
 * caller verification.
 */
export interface ClaimsSource {
  /** In words, for the log and the card: "csv file hr.csv", "HR API at https://hr.contoso.com/api". */
  readonly description: string;
  /** Reads the source once; a missing or unreadable source is reported here, never thrown. */
  open(): Promise<SourceHealth>;
  /** Pass, or the failed claim names and why (never a value); a source that cannot answer fails. */
  check(upn: string, presented: PresentedClaims, rules: ClaimRules): Promise<ClaimVerdict>;
}

export type SourceHealth = { ok: true; records?: number } | { ok: false; reason: string };

export function createClaimsSource(config: ClaimsSourceConfig, options: { fetch?: typeof fetch } = {}): ClaimsSource {
  return config.kind === 'csv'
    ? new CsvClaimsSource(config.path)
    : new HrApiClaimsSource(config.baseUrl, options.fetch);
}

const UPN_COLUMNS = ['userprincipalname', 'upn'];

type Loaded = { version: string; records: Map<string, ClaimRecord[]> } | { version: string; problem: string };

/** A failed verdict that names no claim: the reason is the source's, not the person's. */
const sourceFailure = (reason: string): ClaimVerdict => ({ pass: false, failedClaims: [], reason });

/** How often the file's modification time is looked at: a change applies within a second. */
export const CSV_CHANGE_CHECK_MS = 1_000;

/**
 * A CSV file with a header row: `userPrincipalName` or `UPN`, `firstName`, `lastName`, and claim
 * columns such as `dateOfBirth`, `documentId`, `employeeId` (names case-insensitive). Read once,
 * kept in memory, and read again when its modification time or size changes (looked at no more
 * than once a second, so a burst of callouts costs one `stat`).
 */
export class CsvClaimsSource implements ClaimsSource {
  readonly description: string;
  private loaded?: Loaded;
  private loading?: Promise<Loaded>;
  private lookedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly path: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.description = `the CSV file ${path}`;
  }

  async open(): Promise<SourceHealth> {
    const loaded = await this.current();
    return 'problem' in loaded ? { ok: false, reason: loaded.problem } : { ok: true, records: loaded.records.size };
  }

  /** The one record for this user principal name; undefined when there is none, several, or the file is unreadable. */
  async recordFor(upn: string): Promise<ClaimRecord | undefined> {
    const loaded = await this.current();
    if ('problem' in loaded) return undefined;
    const found = loaded.records.get(upn.toLowerCase());
    return found?.length === 1 ? found[0] : undefined;
  }

  async check(upn: string, presented: PresentedClaims, rules: ClaimRules): Promise<ClaimVerdict> {
    const loaded = await this.current();
    if ('problem' in loaded) return sourceFailure(`the claims source is unavailable: ${loaded.problem}`);
    const found = loaded.records.get(upn.toLowerCase());
    if (!found) return sourceFailure('the organisation has no record for this user');
    // Two rows for one person: the file was edited wrongly or tampered with; neither row is trusted.
    const [record, ...others] = found;
    if (!record || others.length > 0)
      return sourceFailure(`the claims source has ${found.length} records for this user`);
    return validateClaims(record, presented, rules);
  }

  /** The file as last read; read again when it is new or changed (concurrent callers share one read). */
  private async current(): Promise<Loaded> {
    if (this.loaded && this.clock() - this.lookedAt < CSV_CHANGE_CHECK_MS) return this.loaded;
    this.lookedAt = this.clock();
    const version = await stat(this.path).then(
      (s) => `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}`,
      (error: NodeJS.ErrnoException) => `missing:${error.code ?? 'error'}`,
    );
    if (this.loaded?.version === version) return this.loaded;
    this.loading ??= this.load(version).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(version: string): Promise<Loaded> {
    this.loaded = await this.read(version);
    return this.loaded;
  }

  private async read(version: string): Promise<Loaded> {
    if (version.startsWith('missing:')) {
      const code = version.slice('missing:'.length);
      return { version, problem: code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code})` };
    }
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      return { version, problem: `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    const parsed = recordsFromCsv(text);
    return 'problem' in parsed ? { version, problem: parsed.problem } : { version, records: parsed.records };
  }
}

/** Rows to records by lower-cased user principal name; a problem in words (no cell value) when the file is unusable. */
export function recordsFromCsv(text: string): { records: Map<string, ClaimRecord[]> } | { problem: string } {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  if ('problem' in rows) return rows;
  const [header, ...body] = rows.rows;
  if (!header) return { problem: 'the file is empty' };
  const columns = header.map((name) => name.trim().toLowerCase());
  const upnAt = columns.findIndex((name) => UPN_COLUMNS.includes(name));
  if (upnAt < 0) return { problem: 'the header row has no userPrincipalName or UPN column' };
  const records = new Map<string, ClaimRecord[]>();
  for (const row of body) {
    const upn = row[upnAt]?.trim().toLowerCase();
    if (!upn) continue;
    const record: ClaimRecord = { userPrincipalName: upn, claims: {} };
    columns.forEach((name, i) => {
      const value = row[i]?.trim();
      if (i === upnAt || !name || value === undefined || value === '') return;
      if (name === 'firstname') record.firstName = value;
      else if (name === 'lastname') record.lastName = value;
      else if (name === 'employeeid') record.employeeId = value;
      else record.claims[name] = value;
    });
    records.set(upn, [...(records.get(upn) ?? []), record]);
  }
  return { records };
}

/** Entra waits at most 2 seconds for the whole callout; the HR API gets less than that. */
const HR_API_TIMEOUT_MS = 1_000;
const CLAIM_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * An HR API that judges the claims itself: `POST {base}/validate` with `{upn, employeeId, claims}`,
 * answered `{"result":"pass"}` or `{"result":"fail","failedClaims":[...]}` (Microsoft's tutorial, as
 * above). The bot still insists that every required claim was presented before it asks.
 */
export class HrApiClaimsSource implements ClaimsSource {
  readonly description: string;

  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.description = `the HR API at ${baseUrl}`;
  }

  async open(): Promise<SourceHealth> {
    return { ok: true };
  }

  async check(upn: string, presented: PresentedClaims, rules: ClaimRules): Promise<ClaimVerdict> {
    const keys = new Set(Object.keys(presented.claims).map((key) => key.toLowerCase()));
    const missing = rules.requiredClaims.filter(
      (key) => !keys.has(key.toLowerCase()) && !(key.toLowerCase() === 'employeeid' && presented.employeeId),
    );
    if (missing.length > 0)
      return { pass: false, failedClaims: missing, reason: `${missing.join(', ')} not presented` };
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ upn, employeeId: presented.employeeId, claims: presented.claims }),
        signal: AbortSignal.timeout(HR_API_TIMEOUT_MS),
      });
    } catch (error) {
      const name = (error as Error).name;
      return sourceFailure(
        name === 'TimeoutError' ? 'the HR API did not answer within 1 second' : 'the HR API cannot be reached',
      );
    }
    const body = (await response.json().catch(() => undefined)) as
      | { result?: unknown; failedClaims?: unknown }
      | undefined;
    if (!response.ok || !body) return sourceFailure(`the HR API answered HTTP ${response.status}`);
    if (body.result === 'pass') return { pass: true };
    if (body.result !== 'fail') return sourceFailure('the HR API answered neither pass nor fail');
    // Only names of claims that were presented are kept: an HR API echoing a value must not plant it in the trail.
    const failedClaims = Array.isArray(body.failedClaims)
      ? body.failedClaims.filter(
          (key): key is string => typeof key === 'string' && CLAIM_KEY.test(key) && keys.has(key.toLowerCase()),
        )
      : [];
    return {
      pass: false,
      failedClaims,
      reason: failedClaims.length > 0 ? `the HR API failed ${failedClaims.join(', ')}` : 'the HR API failed the claims',
    };
  }
}
