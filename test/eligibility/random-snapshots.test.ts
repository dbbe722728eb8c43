import type * as Graph from '@microsoft/microsoft-graph-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EligibilityFacts, type Fact, known, unknownFact } from '../../src/eligibility/facts.js';
import { checkEligibility, colleagueView, type Status } from '../../src/eligibility/rules.js';
import {
  GLOBAL_ADMIN_ROLE,
  method,
  P1_PLAN_ID,
  P2_PLAN_ID,
  passkeyPolicy,
  premiumSku,
  registrationPolicy,
  tapPolicy,
  userLicence,
} from './snapshot-builder.js';

// Random but recognisable directory details, so a leak into the colleague view can be found.
const hex = fc.stringMatching(/^[0-9a-f]{8}$/);
const isoDate = fc
  .date({ min: new Date('2023-12-01T00:00:00Z'), max: new Date('2026-02-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

const fact = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<Fact<T>> =>
  fc.oneof(
    { weight: 4, arbitrary: value.map((v) => known(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('needs AuditLog.Read.All', 'throttled').map((reason) => unknownFact<T>(reason)),
    },
  );

const snapshot: fc.Arbitrary<{ facts: EligibilityFacts; secrets: string[] }> = fc
  .record({
    groups: fc.uniqueArray(hex, { minLength: 1, maxLength: 4 }),
    policyNames: fc.uniqueArray(
      hex.map((h) => `CA-${h}`),
      { minLength: 0, maxLength: 3 },
    ),
    userId: hex,
    twinIds: fc.uniqueArray(hex, { maxLength: 2 }),
    givenName: fc.constantFrom('Jonathan', 'Bob', 'J.', '', 'Dr Anna', 'さくら'),
    surname: fc.constantFrom('Doe', 'Tanaka', '', 'Smith Jr.'),
    accountEnabled: fc.constantFrom(true, false, null),
    userType: fc.constantFrom('Member', 'Guest'),
    readAt: isoDate,
    signIn: fact(fc.oneof(isoDate, fc.constant(null), fc.constant('0001-01-01T00:00:00Z'))),
    addedAt: fact(fc.option(isoDate, { nil: null })),
    mode: fc.constantFrom<'production' | 'evaluation'>('production', 'evaluation'),
    source: fc.constantFrom<'graph' | 'config'>('graph', 'config'),
    scopeKnown: fc.boolean(),
    membershipKnown: fc.boolean(),
    picks: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
    roles: fact(fc.subarray([GLOBAL_ADMIN_ROLE])),
    tapState: fc.constantFrom<Graph.AuthenticationMethodState>('enabled', 'disabled'),
    tapKnown: fc.boolean(),
    grants: fc.array(fc.constantFrom<Graph.ConditionalAccessGrantControl>('block', 'mfa', 'compliantDevice'), {
      maxLength: 3,
    }),
    policyState: fc.constantFrom<Graph.ConditionalAccessPolicyState>(
      'enabled',
      'disabled',
      'enabledForReportingButNotEnforced',
    ),
    policiesKnown: fc.boolean(),
    skus: fact(
      fc.array(
        fc.tuple(fc.constantFrom(P1_PLAN_ID, P2_PLAN_ID, 'other'), fc.constantFrom('Enabled', 'Warning', 'Suspended')),
        { maxLength: 2 },
      ),
    ),
    methods: fact(
      fc.subarray(['passwordAuthenticationMethod', 'fido2AuthenticationMethod', 'phoneAuthenticationMethod']),
    ),
  })
  .map((r) => {
    const pick = <T>(items: T[], offset: number) => items.filter((_, i) => r.picks[(i + offset) % r.picks.length]);
    const groupNames = Object.fromEntries(r.groups.map((id) => [id, `grp-${id}`]));
    const upn = `${r.userId}@contoso.example`;
    const twins = r.twinIds.map((id) => ({
      id,
      displayName: `Twin ${id}`,
      userPrincipalName: `${id}@fabrikam.example`,
    }));
    const facts: EligibilityFacts = {
      readAt: new Date(r.readAt),
      user: {
        id: r.userId,
        givenName: r.givenName,
        surname: r.surname,
        displayName: `${r.givenName} ${r.surname}`,
        userPrincipalName: upn,
        accountEnabled: r.accountEnabled,
        userType: r.userType,
      },
      lastSuccessfulSignIn: r.signIn,
      recoveryScope: r.scopeKnown
        ? known({
            includeGroupIds: pick(r.groups, 0),
            excludeGroupIds: pick(r.groups, 5),
            groupNames,
            mode: r.mode,
            source: r.source,
          })
        : unknownFact('needs VerifiedId-Profile.Read.All'),
      membership: r.membershipKnown
        ? known({ directGroupIds: pick(r.groups, 1), transitiveGroupIds: pick(r.groups, 2), groupNames: {} })
        : unknownFact('needs GroupMember.Read.All'),
      roleTemplateIds: r.roles,
      conditionalAccessRoleIds: r.roles,
      namedLocations: known([]),
      passkeyPolicy: known(passkeyPolicy()),
      userLicences: known([userLicence()]),
      nameTwins: known(twins),
      tapPolicy: r.tapKnown
        ? known(
            tapPolicy({
              state: r.tapState,
              includeTargets: pick(['all_users', ...r.groups], 3).map((id) => ({ id, targetType: 'group' })),
            }),
          )
        : unknownFact('needs Policy.Read.AuthenticationMethod'),
      conditionalAccessPolicies: r.policiesKnown
        ? known(
            r.policyNames.map((displayName, i) =>
              registrationPolicy({
                id: `policy-${i}`,
                displayName,
                state: r.policyState,
                users: {
                  includeUsers: ['All'],
                  includeGroups: pick(r.groups, 7 + i),
                  excludeGroups: pick(r.groups, 11 + i),
                },
                grant: { operator: i % 2 ? 'AND' : 'OR', builtInControls: r.grants },
              }),
            ),
          )
        : unknownFact('needs Policy.Read.All'),
      subscribedSkus: r.skus.known
        ? known(r.skus.value.map(([plan, status]) => premiumSku(plan, status)))
        : unknownFact(r.skus.reason),
      authenticationMethods: r.methods.known
        ? known(r.methods.value.map((kind) => method(kind)))
        : unknownFact(r.methods.reason),
      addedToRecoveryGroupAt: r.addedAt,
    };
    const dates = [r.readAt, r.signIn, r.addedAt]
      .flatMap((value) =>
        typeof value === 'string' ? [value] : value && 'value' in value && value.value ? [value.value] : [],
      )
      .flatMap((iso) => [iso, iso.slice(0, 10)]);
    const secrets = [
      ...r.groups,
      ...Object.values(groupNames),
      ...r.policyNames,
      upn,
      ...twins.flatMap((twin) => [twin.displayName, twin.userPrincipalName]),
      ...dates,
    ];
    return { facts, secrets };
  });

const SEVERITY: Status[] = ['pass', 'warn', 'unknown', 'fail'];

describe('any snapshot', () => {
  it('the verdict is always the worst result, and unknown never becomes pass', () => {
    fc.assert(
      fc.property(snapshot, ({ facts }) => {
        const eligibility = checkEligibility(facts);
        const worst = SEVERITY[Math.max(...eligibility.results.map((r) => SEVERITY.indexOf(r.status)))];
        expect(eligibility.verdict).toBe(worst);
        expect(eligibility.canSelfRecover).toBe(worst === 'pass' || worst === 'warn');
        if (eligibility.results.some((r) => r.status === 'unknown'))
          expect(['unknown', 'fail']).toContain(eligibility.verdict);
      }),
      { numRuns: 500 },
    );
  });

  it('every unknown says why, and every warning or fail says what to do', () => {
    fc.assert(
      fc.property(snapshot, ({ facts }) => {
        for (const result of checkEligibility(facts).results) {
          if (result.status === 'unknown') expect(result.unknownReason).toBeTruthy();
          if (result.status === 'warn' || result.status === 'fail')
            expect(result.fix).toMatch(/^(User|Helpdesk|Admin)( \([^)]+\))?:/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a colleague view never contains a group name, date, UPN or policy name from the snapshot', () => {
    fc.assert(
      fc.property(snapshot, ({ facts, secrets }) => {
        const view = colleagueView(checkEligibility(facts));
        expect(Object.keys(view).sort()).toEqual(['canSelfRecover', 'message']);
        for (const secret of secrets) expect(view.message).not.toContain(secret);
        expect(view.message).not.toMatch(/\d/);
      }),
      { numRuns: 500 },
    );
  });
});
