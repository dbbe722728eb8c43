import { describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/diagnosis/catalogue.js';
import { diagnose, type LiveResult } from '../../src/diagnosis/matcher.js';
import { AADSTS55200_PAGE } from './fixtures.js';

const catalogue = defaultCatalogue();
const codeEntries = catalogue.entries.filter((entry) => entry.kind === 'code');
const symptomEntries = catalogue.entries.filter((entry) => entry.kind === 'symptom');

const allPass = (): LiveResult[] =>
  ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9', 'E10'].map((id) => ({ id, status: 'pass', evidence: 'ok' }));
const withResult = (override: LiveResult): LiveResult[] => allPass().map((r) => (r.id === override.id ? override : r));

const causeIds = (diagnosis: ReturnType<typeof diagnose>) => diagnosis.matched[0]!.causes.map((c) => c.cause.id);
const findingOf = (diagnosis: ReturnType<typeof diagnose>, causeId: string) =>
  diagnosis.matched[0]!.causes.find((c) => c.cause.id === causeId)!.found;

describe('every catalogue entry can be reached', () => {
  it.each(codeEntries.map((entry) => [entry.code, entry] as const))(
    '%s is recognised when pasted in a sentence',
    (code, entry) => {
      const diagnosis = diagnose(catalogue, {
        text: `When I sign in I get "${code}: something went wrong", please help`,
      });
      expect(diagnosis.matched.map((m) => m.entry.id)).toEqual([entry.id]);
      expect(diagnosis.unknownCodes).toEqual([]);
    },
  );

  it.each(symptomEntries.map((entry) => [entry.id, entry] as const))('picking "%s" lists its causes', (id, entry) => {
    const diagnosis = diagnose(catalogue, { symptomId: id });
    expect(diagnosis.matched).toHaveLength(1);
    expect(diagnosis.matched[0]!.entry).toBe(entry);
    expect(causeIds(diagnosis)).toEqual(entry.causes.map((cause) => cause.id));
    expect(diagnosis.matched[0]!.causes.every((c) => c.found === 'unknown')).toBe(true);
  });
});

describe('diagnosing what the user pasted', () => {
  it('explains the AADSTS55200 page as recovery started from the wrong place', () => {
    const diagnosis = diagnose(catalogue, { text: AADSTS55200_PAGE });
    expect(diagnosis.matched[0]!.entry.id).toBe('aadsts55200');
    expect(diagnosis.matched[0]!.causes[0]!.cause.fix).toContain('https://aka.ms/mfasetup');
    expect(diagnosis.details.correlationId).toBe('8c1d4e7a-2b3f-4a5c-9d6e-1f0a2b3c4d5e');
  });

  it('reports a code it does not know as unknown instead of guessing', () => {
    const diagnosis = diagnose(catalogue, { text: 'Error AADSTS99999 and also AADSTS50057' });
    expect(diagnosis.unknownCodes).toEqual(['AADSTS99999']);
    expect(diagnosis.matched.map((m) => m.entry.id)).toEqual(['aadsts50057']);
  });

  it('combines a picked symptom with a pasted code, the symptom first, without repeats', () => {
    const diagnosis = diagnose(catalogue, { symptomId: 'tap-not-working', text: 'AADSTS53003 ... AADSTS53003' });
    expect(diagnosis.matched.map((m) => m.entry.id)).toEqual(['tap-not-working', 'aadsts53003']);
  });

  it('matches nothing for a symptom id that is not in the catalogue', () => {
    expect(diagnose(catalogue, { symptomId: 'made-up' }).matched).toEqual([]);
  });
});

describe("using the user's live eligibility results", () => {
  it('a user outside the recovery group has "not in the group" confirmed and listed first', () => {
    const diagnosis = diagnose(
      catalogue,
      { symptomId: 'no-recover-link' },
      withResult({ id: 'E2', status: 'fail', evidence: 'Not a member of acl_ssar_enabled' }),
    );
    expect(diagnosis.matched[0]!.causes[0]).toMatchObject({ cause: { id: 'not-in-recovery-group' }, found: true });
    expect(findingOf(diagnosis, 'added-too-recently')).toBe(false);
    expect(findingOf(diagnosis, 'no-prior-sign-in')).toBe(false);
    expect(findingOf(diagnosis, 'wrong-entry-point')).toBe('unknown');
  });

  it('a user added to the group minutes ago has the "wait" cause confirmed and listed first', () => {
    const diagnosis = diagnose(
      catalogue,
      { symptomId: 'no-recover-link' },
      withResult({
        id: 'E2',
        status: 'warn',
        evidence: 'Added to acl_ssar_enabled 4 minutes ago; wait before trying again',
        reasons: ['recently-added'],
      }),
    );
    expect(diagnosis.matched[0]!.causes[0]).toMatchObject({ cause: { id: 'added-too-recently' }, found: true });
    expect(findingOf(diagnosis, 'not-in-recovery-group')).toBe('unknown');
  });

  it('a group warning for another reason does not claim the user was added too recently', () => {
    const diagnosis = diagnose(
      catalogue,
      { symptomId: 'no-recover-link' },
      withResult({
        id: 'E2',
        status: 'warn',
        evidence: 'Member only through a nested group',
        reasons: ['nested-only'],
      }),
    );
    expect(findingOf(diagnosis, 'added-too-recently')).toBe('unknown');
  });

  it('wording in the evidence confirms nothing: only the reason code does', () => {
    const diagnosis = diagnose(
      catalogue,
      { symptomId: 'no-recover-link' },
      withResult({ id: 'E2', status: 'warn', evidence: 'Added recently, minutes ago; wait', reasons: ['nested-only'] }),
    );
    expect(findingOf(diagnosis, 'added-too-recently')).toBe('unknown');
  });

  it('a user who never signed in has that cause confirmed ahead of the untested ones', () => {
    const diagnosis = diagnose(
      catalogue,
      { symptomId: 'no-recover-link' },
      withResult({ id: 'E3', status: 'fail', evidence: 'No successful sign-in recorded' }),
    );
    expect(causeIds(diagnosis)).toEqual([
      'no-prior-sign-in',
      'wrong-entry-point',
      'not-in-recovery-group',
      'added-too-recently',
    ]);
  });

  it('a check that could not run leaves its cause undecided, never ruled out', () => {
    const diagnosis = diagnose(
      catalogue,
      { symptomId: 'verified-no-tap' },
      withResult({ id: 'E6', status: 'unknown', evidence: 'needs Policy.Read.All' }),
    );
    expect(findingOf(diagnosis, 'tap-not-enabled-for-user')).toBe('unknown');
    expect(findingOf(diagnosis, 'evaluation-mode')).toBe(false);
  });

  it('a check missing from the results leaves its cause undecided', () => {
    const diagnosis = diagnose(catalogue, { symptomId: 'name-mismatch' }, [{ id: 'E4', status: 'fail' }]);
    expect(diagnosis.matched[0]!.causes.map((c) => [c.cause.id, c.found])).toEqual([
      ['names-differ-from-id', true],
      ['duplicate-name-in-group', 'unknown'],
    ]);
  });

  it('a user whose account is in Evaluation mode learns that is why no pass was issued', () => {
    const diagnosis = diagnose(
      catalogue,
      { symptomId: 'verified-no-tap' },
      withResult({ id: 'E8', status: 'fail', evidence: 'Recovery profile is in Evaluation mode' }),
    );
    expect(diagnosis.matched[0]!.causes[0]).toMatchObject({ cause: { id: 'evaluation-mode' }, found: true });
  });
});
