import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { known, unknownFact } from '../../src/eligibility/facts.js';
import { describeTapSettings, tapIssueSettings, tapScopeFor } from '../../src/eligibility/tap-scope.js';
import { membership, tapPolicy, USER_ID } from './snapshot-builder.js';

const inGroups = known(membership(['team'], ['department']));

describe('who the TAP policy covers', () => {
  it('a policy for all users covers the user', () => {
    expect(tapScopeFor(tapPolicy(), USER_ID, inGroups)).toEqual({ kind: 'included', byTargetId: 'all_users' });
  });

  it('a policy for all users covers the user even when membership is unreadable', () => {
    expect(tapScopeFor(tapPolicy(), USER_ID, unknownFact('throttled')).kind).toBe('included');
  });

  it('a policy for a parent group covers its nested members', () => {
    const policy = tapPolicy({ includeTargets: [{ id: 'department', targetType: 'group' }] });
    expect(tapScopeFor(policy, USER_ID, inGroups)).toEqual({ kind: 'included', byTargetId: 'department' });
  });

  it('a policy for other groups does not cover the user', () => {
    const policy = tapPolicy({ includeTargets: [{ id: 'it-staff', targetType: 'group' }] });
    expect(tapScopeFor(policy, USER_ID, inGroups).kind).toBe('notIncluded');
  });

  it('an excluded group wins over all users', () => {
    const policy = tapPolicy({ excludeTargets: [{ id: 'department', targetType: 'group' }] });
    expect(tapScopeFor(policy, USER_ID, inGroups)).toEqual({ kind: 'excluded', byTargetId: 'department' });
  });

  it('a disabled TAP method covers nobody', () => {
    expect(tapScopeFor(tapPolicy({ state: 'disabled' }), USER_ID, inGroups).kind).toBe('disabled');
  });

  it('is unknown when groups decide and membership is unreadable', () => {
    const groupScoped = tapPolicy({ includeTargets: [{ id: 'it-staff', targetType: 'group' }] });
    expect(tapScopeFor(groupScoped, USER_ID, unknownFact('needs GroupMember.Read.All'))).toEqual({
      kind: 'unknown',
      reason: 'group membership unknown: needs GroupMember.Read.All',
    });
    const withExclusion = tapPolicy({ excludeTargets: [{ id: 'vip', targetType: 'group' }] });
    expect(tapScopeFor(withExclusion, USER_ID, unknownFact('throttled')).kind).toBe('unknown');
  });
});

describe('TAP settings for the card', () => {
  it('shows the default, minimum and maximum lifetime and the one-time setting', () => {
    expect(describeTapSettings(tapPolicy({ isUsableOnce: false }))).toBe(
      'lifetime 60 min by default (min 60 min, max 480 min), one-time or multi-use',
    );
  });
});

describe('tapIssueSettings', () => {
  it('uses the policy default when nothing is requested', () => {
    expect(tapIssueSettings(tapPolicy({ defaultLifetimeInMinutes: 120 }))).toEqual({
      lifetimeInMinutes: 120,
      isUsableOnce: true,
    });
  });

  it("clamps a request to the policy's minimum and maximum", () => {
    expect(tapIssueSettings(tapPolicy(), 15).lifetimeInMinutes).toBe(60);
    expect(tapIssueSettings(tapPolicy(), 10_000).lifetimeInMinutes).toBe(480);
  });

  it("clamps to Graph's 10 minutes to 30 days when the policy sets no bounds", () => {
    const unbounded = tapPolicy({ minimumLifetimeInMinutes: null, maximumLifetimeInMinutes: null });
    expect(tapIssueSettings(unbounded, 1).lifetimeInMinutes).toBe(10);
    expect(tapIssueSettings(unbounded, 100_000).lifetimeInMinutes).toBe(43_200);
  });

  it('is always one-time use: a policy that allows multi-use lets the creator choose, and a pass read out over a call must not work twice', () => {
    expect(tapIssueSettings(tapPolicy({ isUsableOnce: false })).isUsableOnce).toBe(true);
    expect(tapIssueSettings(tapPolicy({ isUsableOnce: true })).isUsableOnce).toBe(true);
    expect(tapIssueSettings(tapPolicy({ isUsableOnce: null })).isUsableOnce).toBe(true);
  });

  it('always returns a whole number of minutes Graph and the policy accept', () => {
    const bound = fc.option(fc.integer({ min: 10, max: 43_200 }), { nil: null });
    fc.assert(
      fc.property(bound, bound, fc.option(fc.double(), { nil: undefined }), (min, max, requested) => {
        const policy = tapPolicy({ minimumLifetimeInMinutes: min, maximumLifetimeInMinutes: max });
        const { lifetimeInMinutes } = tapIssueSettings(policy, requested);
        expect(Number.isInteger(lifetimeInMinutes)).toBe(true);
        expect(lifetimeInMinutes).toBeGreaterThanOrEqual(Math.max(10, min ?? 10));
        expect(lifetimeInMinutes).toBeLessThanOrEqual(43_200);
        if (max !== null && (min === null || min <= max)) expect(lifetimeInMinutes).toBeLessThanOrEqual(max);
      }),
    );
  });
});
