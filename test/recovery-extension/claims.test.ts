import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClaimRecord, validateClaims } from '../../src/recovery-extension/claims.js';
import { CSV_CHANGE_CHECK_MS, CsvClaimsSource, recordsFromCsv } from '../../src/recovery-extension/claims-source.js';

const jon: ClaimRecord = {
  userPrincipalName: 'jon.doe@contoso.com',
  firstName: 'Jon',
  lastName: 'Doe',
  employeeId: 'E001',
  claims: { dateofbirth: '1985-03-14', documentid: 'AB123456' },
};
const rules = { requiredClaims: ['dateOfBirth'], matchLevel: 'exact' as const };

describe('claim rules: does what a person presented match their record?', () => {
  it('passes with the right names and date of birth, whatever the letter case of keys and names', () => {
    expect(
      validateClaims(jon, { claims: { FIRSTNAME: 'jon', lastName: 'DOE', dateOfBirth: '1985-03-14' } }, rules),
    ).toEqual({
      pass: true,
    });
  });

  it('a wrong date of birth fails, naming the claim and never its value', () => {
    const verdict = validateClaims(
      jon,
      { claims: { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-03-15' } },
      rules,
    );
    expect(verdict).toMatchObject({ pass: false, failedClaims: ['dateOfBirth'] });
    expect(JSON.stringify(verdict)).not.toMatch(/1985/);
  });

  it('the same calendar day written differently matches', () => {
    expect(
      validateClaims(jon, { claims: { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-3-14T00:00:00Z' } }, rules),
    ).toEqual({
      pass: true,
    });
  });

  it('a required claim not presented, or missing from the record, fails', () => {
    expect(validateClaims(jon, { claims: { firstName: 'Jon', lastName: 'Doe' } }, rules)).toMatchObject({
      failedClaims: ['dateOfBirth'],
    });
    const noDocument = validateClaims(
      jon,
      { claims: { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-03-14', documentId: 'X' } },
      { ...rules, requiredClaims: ['dateOfBirth', 'documentId'] },
    );
    expect(noDocument).toMatchObject({ failedClaims: ['documentId'] });
  });

  it('exact matching keeps accents; relaxed matching folds them', () => {
    const presented = { claims: { firstName: 'Jón', lastName: 'Doe', dateOfBirth: '1985-03-14' } };
    expect(validateClaims(jon, presented, rules)).toMatchObject({ failedClaims: ['firstName'] });
    expect(validateClaims(jon, presented, { ...rules, matchLevel: 'relaxed' })).toEqual({ pass: true });
  });

  it('relaxed matching finds each name of the record among the words presented, as Microsoft documents it', () => {
    const presented = { claims: { firstName: 'Jon Peter', lastName: 'Doe', dateOfBirth: '1985-03-14' } };
    expect(validateClaims(jon, presented, rules)).toMatchObject({ failedClaims: ['firstName'] });
    expect(validateClaims(jon, presented, { ...rules, matchLevel: 'relaxed' })).toEqual({ pass: true });
    const someoneElse = { claims: { firstName: 'Joan', lastName: 'Doe', dateOfBirth: '1985-03-14' } };
    expect(validateClaims(jon, someoneElse, { ...rules, matchLevel: 'relaxed' })).toMatchObject({
      failedClaims: ['firstName'],
    });
  });

  it("an employee id Entra sends must be this person's", () => {
    const claims = { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-03-14' };
    expect(validateClaims(jon, { claims, employeeId: 'E001' }, rules)).toEqual({ pass: true });
    expect(validateClaims(jon, { claims, employeeId: 'E002' }, rules)).toMatchObject({ failedClaims: ['employeeId'] });
  });
});

describe('CSV claims source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'claims-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads the columns of Microsoft's sample (UPN, quoted fields, byte order mark)", () => {
    const parsed = recordsFromCsv(
      '\uFEFFEmployeeId,UPN,firstName,lastName,fullName,dateOfBirth\r\nE001,Jon.Doe@contoso.com,Jon,Doe,"Doe, Jon",1985-03-14\r\n',
    );
    expect('records' in parsed && parsed.records.get('jon.doe@contoso.com')).toEqual([
      {
        userPrincipalName: 'jon.doe@contoso.com',
        employeeId: 'E001',
        firstName: 'Jon',
        lastName: 'Doe',
        claims: { fullname: 'Doe, Jon', dateofbirth: '1985-03-14' },
      },
    ]);
  });

  it('a header without a user principal name column is a problem in words', () => {
    expect(recordsFromCsv('name,dateOfBirth\nJon,1985-03-14\n')).toEqual({
      problem: 'the header row has no userPrincipalName or UPN column',
    });
  });

  it('a missing file is reported, fails every check, and is read once it appears; a change is read again', async () => {
    const path = join(dir, 'hr.csv');
    // The source looks at the file at most once a second: this clock moves a second per look.
    let now = 0;
    const source = new CsvClaimsSource(path, () => (now += CSV_CHANGE_CHECK_MS));
    expect(await source.open()).toEqual({ ok: false, reason: 'the file does not exist' });
    const claims = { claims: { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-03-14' } };
    expect(await source.check('jon.doe@contoso.com', claims, rules)).toMatchObject({
      pass: false,
      failedClaims: [],
      reason: 'the claims source is unavailable: the file does not exist',
    });
    await writeFile(path, 'userPrincipalName,firstName,lastName,dateOfBirth\njon.doe@contoso.com,Jon,Doe,1985-03-14\n');
    expect(await source.check('JON.DOE@contoso.com', claims, rules)).toEqual({ pass: true });
    await writeFile(path, 'userPrincipalName,firstName,lastName,dateOfBirth\njon.doe@contoso.com,Jon,Doe,1999-12-31\n');
    expect(await source.check('jon.doe@contoso.com', claims, rules)).toMatchObject({ failedClaims: ['dateOfBirth'] });
  });

  it('within a second of the last look, the file is not looked at again', async () => {
    const path = join(dir, 'steady.csv');
    await writeFile(path, 'upn,firstName,lastName,dateOfBirth\njon.doe@contoso.com,Jon,Doe,1985-03-14\n');
    let now = 0;
    const source = new CsvClaimsSource(path, () => now);
    const claims = { claims: { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-03-14' } };
    expect(await source.check('jon.doe@contoso.com', claims, rules)).toEqual({ pass: true });
    await rm(path);
    now += CSV_CHANGE_CHECK_MS - 1;
    expect(await source.check('jon.doe@contoso.com', claims, rules)).toEqual({ pass: true });
    now += 1;
    expect(await source.check('jon.doe@contoso.com', claims, rules)).toMatchObject({ pass: false });
  });

  it('no record fails; two records for one person fail too', async () => {
    const path = join(dir, 'twice.csv');
    await writeFile(
      path,
      'upn,firstName,lastName,dateOfBirth\njon.doe@contoso.com,Jon,Doe,1985-03-14\njon.doe@contoso.com,Jon,Doe,1990-01-01\n',
    );
    const source = new CsvClaimsSource(path);
    const claims = { claims: { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-03-14' } };
    expect(await source.check('jon.doe@contoso.com', claims, rules)).toMatchObject({
      pass: false,
      reason: 'the claims source has 2 records for this user',
    });
    expect(await source.check('nobody@contoso.com', claims, rules)).toMatchObject({
      pass: false,
      reason: 'the organisation has no record for this user',
    });
  });
});
