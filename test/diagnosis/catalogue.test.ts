import { describe, expect, it } from 'vitest';
import { CatalogueError, defaultCatalogue, loadCatalogue } from '../../src/diagnosis/catalogue.js';

const validEntry = () => ({
  id: 'example-symptom',
  kind: 'symptom',
  label: 'Something odd happened',
  title: 'Something odd',
  meaning: 'It means something.',
  causes: [{ id: 'a-cause', text: 'A cause.', checks: ['E2'], fix: 'Fix it.', whoCanFix: 'admin' }],
  nextStep: 'Try again.',
});

const catalogueWith = (...entries: unknown[]) => ({ entries });

function errorFrom(json: unknown): CatalogueError {
  try {
    loadCatalogue(json);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogueError);
    return error as CatalogueError;
  }
  throw new Error('expected the catalogue to be rejected');
}

describe('the bundled catalogue', () => {
  it('loads and validates at start-up', () => {
    const catalogue = defaultCatalogue();
    expect(catalogue.entries.length).toBeGreaterThanOrEqual(20);
  });

  it('covers every code and symptom in the domain brief', () => {
    const ids = defaultCatalogue().entries.map((entry) => entry.id);
    for (const id of [
      'aadsts55200',
      'no-recover-link',
      'name-mismatch',
      'face-check-failed',
      'verified-no-tap',
      'tap-not-working',
      'authenticator-add-account',
      'aadsts50053',
      'aadsts50057',
      'aadsts50034',
      'aadsts50126',
      'aadsts50076',
      'aadsts50079',
      'aadsts53003',
      'aadsts50105',
      'aadsts53004',
      'aadsts53010',
      'aadsts90072',
      'aadsts700016',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('says where every error code meaning comes from', () => {
    for (const entry of defaultCatalogue().entries.filter((e) => e.kind === 'code')) {
      expect(entry.source, entry.id).toMatch(/https:\/\/learn\.microsoft\.com\//);
    }
  });

  it('lists the "no Recover your account link" causes in the order a helpdesk would check them', () => {
    const entry = defaultCatalogue().entries.find((e) => e.id === 'no-recover-link')!;
    expect(entry.causes.map((cause) => cause.id)).toEqual([
      'not-in-recovery-group',
      'added-too-recently',
      'no-prior-sign-in',
      'wrong-entry-point',
    ]);
  });
});

describe('a helpdesk edit to the catalogue', () => {
  it('is accepted when well formed', () => {
    expect(loadCatalogue(catalogueWith(validEntry())).entries[0]!.id).toBe('example-symptom');
  });

  it('is rejected when an entry has an unknown field, naming the entry and field', () => {
    const error = errorFrom(catalogueWith({ ...validEntry(), severity: 'high' }));
    expect(error.message).toContain('entry "example-symptom"');
    expect(error.message).toContain('"severity"');
  });

  it('is rejected when a cause has an unknown field, naming the entry and the cause field', () => {
    const entry = validEntry();
    entry.causes[0] = { ...entry.causes[0]!, ...{ priority: 1 } };
    const error = errorFrom(catalogueWith(entry));
    expect(error.message).toContain('entry "example-symptom"');
    expect(error.message).toContain('causes[0].priority');
  });

  it('is rejected when two entries share an id, naming the entry', () => {
    const error = errorFrom(catalogueWith(validEntry(), validEntry()));
    expect(error.message).toContain('entry "example-symptom" (#2)');
    expect(error.message).toContain('"id"');
  });

  it('is rejected when a code does not look like an AADSTS code, naming the entry', () => {
    const { label: _label, ...rest } = validEntry();
    const error = errorFrom(catalogueWith({ ...rest, id: 'bad-code', kind: 'code', code: 'AADSTS-55200' }));
    expect(error.message).toContain('entry "bad-code"');
    expect(error.message).toContain('"code"');
  });

  it('is rejected when a cause checks a requirement that does not exist, naming the entry', () => {
    const entry = validEntry();
    entry.causes[0]!.checks = ['E13'];
    const error = errorFrom(catalogueWith(entry));
    expect(error.message).toContain('entry "example-symptom"');
    expect(error.message).toContain('causes[0].checks[0]');
  });

  it('is rejected when nobody is named to fix a cause', () => {
    const entry = validEntry();
    entry.causes[0]!.whoCanFix = 'manager';
    expect(errorFrom(catalogueWith(entry)).message).toContain('causes[0].whoCanFix');
  });

  it("is rejected when a confirming check is not one of the cause's checks", () => {
    const entry = {
      ...validEntry(),
      causes: [{ ...validEntry().causes[0]!, confirmedBy: { check: 'E3', status: 'warn' } }],
    };
    expect(errorFrom(catalogueWith(entry)).message).toContain('causes[0].confirmedBy.check');
  });

  it('is rejected when a confirmation names a reason code the rules never give', () => {
    const cause = validEntry().causes[0]!;
    const entry = {
      ...validEntry(),
      causes: [{ ...cause, confirmedBy: { check: cause.checks[0], status: 'warn', reason: 'minutes ago' } }],
    };
    expect(errorFrom(catalogueWith(entry)).message).toContain('causes[0].confirmedBy.reason');
  });

  it('is rejected when two entries claim the same code', () => {
    const { label: _label, ...rest } = validEntry();
    const codeEntry = (id: string) => ({ ...rest, id, kind: 'code', code: 'AADSTS50057' });
    expect(errorFrom(catalogueWith(codeEntry('first'), codeEntry('second'))).message).toContain('entry "second"');
  });

  it('accepts seven-digit codes, which Microsoft uses (AADSTS7000215)', () => {
    const { label: _label, ...rest } = validEntry();
    expect(() => loadCatalogue(catalogueWith({ ...rest, kind: 'code', code: 'AADSTS7000215' }))).not.toThrow();
  });
});
