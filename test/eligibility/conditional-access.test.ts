import type * as Graph from '@microsoft/microsoft-graph-types';
import { describe, expect, it } from 'vitest';
import {
  type ConditionalAccessSubject,
  recoveryFlowFindings,
  registrationPolicyFindings,
} from '../../src/eligibility/conditional-access.js';
import { type Fact, type GroupMembership, known, unknownFact } from '../../src/eligibility/facts.js';
import { baselineUser, GLOBAL_ADMIN_ROLE, membership, registrationPolicy, USER_ID } from './snapshot-builder.js';

const BLOCK: Graph.ConditionalAccessGrantControls = { operator: 'OR', builtInControls: ['block'] };

function subject(patch: Partial<ConditionalAccessSubject> = {}): ConditionalAccessSubject {
  return {
    user: baselineUser(),
    membership: known(membership(['direct-group'], ['parent-group'])) as Fact<GroupMembership>,
    roleTemplateIds: known([]),
    tapIsUsableOnce: true,
    ...patch,
  };
}

const statusOf = (policy: Graph.ConditionalAccessPolicy, who = subject()) => {
  const findings = registrationPolicyFindings([policy], who);
  expect(findings).toHaveLength(1);
  return findings[0]!.status;
};

const strength = (allowedCombinations?: Graph.AuthenticationMethodModes[], displayName = 'Custom strength') => ({
  builtInControls: [],
  authenticationStrength: { id: 'strength-1', displayName, allowedCombinations },
});

describe('which policies count', () => {
  it('ignores policies on other apps or user actions', () => {
    const onApps = registrationPolicy({ grant: BLOCK });
    onApps.conditions!.applications = { includeApplications: ['All'] };
    const onDevices = registrationPolicy({ grant: BLOCK });
    onDevices.conditions!.applications = { includeUserActions: ['urn:user:registerdevice'] };
    expect(registrationPolicyFindings([onApps, onDevices], subject())).toEqual([]);
  });

  it('ignores a disabled blocking policy', () => {
    expect(registrationPolicyFindings([registrationPolicy({ state: 'disabled', grant: BLOCK })], subject())).toEqual(
      [],
    );
  });

  it('names the policy in the finding', () => {
    const [finding] = registrationPolicyFindings(
      [registrationPolicy({ displayName: 'CA042 block registration', grant: BLOCK })],
      subject(),
    );
    expect(finding).toMatchObject({ policyName: 'CA042 block registration', status: 'fail' });
  });
});

describe('grant controls', () => {
  it('a block fails', () => {
    expect(statusOf(registrationPolicy({ grant: BLOCK }))).toBe('fail');
  });

  it('plain MFA is satisfied by a TAP', () => {
    expect(statusOf(registrationPolicy({ grant: { operator: 'OR', builtInControls: ['mfa'] } }))).toBe('pass');
  });

  it('the built-in phishing-resistant strength fails: a TAP cannot satisfy it', () => {
    const grant = strength(
      ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'],
      'Phishing-resistant MFA',
    );
    const [finding] = registrationPolicyFindings([registrationPolicy({ grant })], subject());
    expect(finding?.status).toBe('fail');
    expect(finding?.reason).toContain('"Phishing-resistant MFA"');
  });

  it('a strength that includes a one-time TAP passes', () => {
    expect(statusOf(registrationPolicy({ grant: strength(['fido2', 'temporaryAccessPassOneTime']) }))).toBe('pass');
  });

  it('a strength with only the one-time TAP fails for a multi-use pass', () => {
    const policy = registrationPolicy({ grant: strength(['temporaryAccessPassOneTime', 'fido2']) });
    expect(statusOf(policy, subject({ tapIsUsableOnce: true }))).toBe('pass');
    expect(statusOf(policy, subject({ tapIsUsableOnce: false }))).toBe('fail');
  });

  it('a strength with only the multi-use TAP passes when the TAP policy allows multi-use passes', () => {
    const policy = registrationPolicy({ grant: strength(['temporaryAccessPassMultiUse']) });
    expect(statusOf(policy, subject({ tapIsUsableOnce: false }))).toBe('pass');
    expect(statusOf(policy, subject({ tapIsUsableOnce: true }))).toBe('fail');
    expect(statusOf(policy, subject({ tapIsUsableOnce: undefined }))).toBe('unknown');
  });

  it('a strength read without its allowed combinations is unknown', () => {
    expect(statusOf(registrationPolicy({ grant: strength(undefined) }))).toBe('unknown');
  });

  it('a compliant-device requirement is a warning: it depends on the device used', () => {
    expect(statusOf(registrationPolicy({ grant: { operator: 'AND', builtInControls: ['compliantDevice'] } }))).toBe(
      'warn',
    );
  });

  it('MFA OR a compliant device passes; MFA AND a compliant device warns', () => {
    const controls: Graph.ConditionalAccessGrantControl[] = ['mfa', 'compliantDevice'];
    expect(statusOf(registrationPolicy({ grant: { operator: 'OR', builtInControls: controls } }))).toBe('pass');
    expect(statusOf(registrationPolicy({ grant: { operator: 'AND', builtInControls: controls } }))).toBe('warn');
  });
});

describe('policy state', () => {
  it('a report-only block is at most a warning', () => {
    expect(statusOf(registrationPolicy({ state: 'enabledForReportingButNotEnforced', grant: BLOCK }))).toBe('warn');
  });

  it('a report-only policy that a TAP satisfies passes', () => {
    expect(statusOf(registrationPolicy({ state: 'enabledForReportingButNotEnforced' }))).toBe('pass');
  });
});

describe('user scope', () => {
  it('an excluded user is outside a policy that includes all users: exclusions win', () => {
    expect(
      statusOf(registrationPolicy({ users: { includeUsers: ['All'], excludeUsers: [USER_ID] }, grant: BLOCK })),
    ).toBe('pass');
  });

  it('a policy including the user by id applies', () => {
    expect(statusOf(registrationPolicy({ users: { includeUsers: [USER_ID] }, grant: BLOCK }))).toBe('fail');
  });

  it('a policy for other users does not apply', () => {
    expect(statusOf(registrationPolicy({ users: { includeUsers: ['someone-else'] }, grant: BLOCK }))).toBe('pass');
    expect(statusOf(registrationPolicy({ users: { includeUsers: ['None'] }, grant: BLOCK }))).toBe('pass');
  });

  it('a policy on a group the user is in only through nesting applies', () => {
    expect(statusOf(registrationPolicy({ users: { includeGroups: ['parent-group'] }, grant: BLOCK }))).toBe('fail');
  });

  it('excluding a parent group of the user wins over including all users', () => {
    expect(
      statusOf(registrationPolicy({ users: { includeUsers: ['All'], excludeGroups: ['parent-group'] }, grant: BLOCK })),
    ).toBe('pass');
  });

  it('a policy on a directory role the user holds applies', () => {
    const policy = registrationPolicy({ users: { includeRoles: [GLOBAL_ADMIN_ROLE] }, grant: BLOCK });
    expect(statusOf(policy, subject({ roleTemplateIds: known([GLOBAL_ADMIN_ROLE]) }))).toBe('fail');
    expect(statusOf(policy, subject({ roleTemplateIds: known([]) }))).toBe('pass');
  });

  it('excluding a role the user holds takes them out', () => {
    const policy = registrationPolicy({
      users: { includeUsers: ['All'], excludeRoles: [GLOBAL_ADMIN_ROLE] },
      grant: BLOCK,
    });
    expect(statusOf(policy, subject({ roleTemplateIds: known([GLOBAL_ADMIN_ROLE]) }))).toBe('pass');
  });

  it('a group-targeted block with unreadable membership is unknown, not pass', () => {
    const policy = registrationPolicy({ users: { includeGroups: ['some-group'] }, grant: BLOCK });
    const [finding] = registrationPolicyFindings(
      [policy],
      subject({ membership: unknownFact('needs GroupMember.Read.All') }),
    );
    expect(finding?.status).toBe('unknown');
    expect(finding?.reason).toContain('needs GroupMember.Read.All');
  });

  it('a role-targeted block with unreadable roles is unknown', () => {
    const policy = registrationPolicy({ users: { includeRoles: [GLOBAL_ADMIN_ROLE] }, grant: BLOCK });
    expect(statusOf(policy, subject({ roleTemplateIds: unknownFact('needs RoleManagement.Read.Directory') }))).toBe(
      'unknown',
    );
  });

  it('an unreadable excluded group leaves an all-users block unknown', () => {
    const policy = registrationPolicy({
      users: { includeUsers: ['All'], excludeGroups: ['break-glass'] },
      grant: BLOCK,
    });
    expect(statusOf(policy, subject({ membership: unknownFact('throttled') }))).toBe('unknown');
  });

  it('a user excluded by id stays excluded even when group membership is unreadable', () => {
    const policy = registrationPolicy({ users: { includeGroups: ['g'], excludeUsers: [USER_ID] }, grant: BLOCK });
    expect(statusOf(policy, subject({ membership: unknownFact('throttled') }))).toBe('pass');
  });

  it('a policy for guests applies to a guest, not to a member', () => {
    const policy = registrationPolicy({ users: { includeUsers: ['GuestsOrExternalUsers'] }, grant: BLOCK });
    expect(statusOf(policy, subject({ user: baselineUser({ userType: 'Guest' }) }))).toBe('fail');
    expect(statusOf(policy)).toBe('pass');
  });

  it('a B2B collaboration member (userType Member, #EXT#) is the external user a policy for that type targets', () => {
    const policy = registrationPolicy({
      users: {
        includeGuestsOrExternalUsers: {
          guestOrExternalUserTypes:
            'b2bCollaborationGuest,b2bCollaborationMember' as Graph.ConditionalAccessGuestOrExternalUserTypes,
          externalTenants: { membershipKind: 'all' } as any,
        },
      },
      grant: BLOCK,
    });
    const member = baselineUser({
      userType: 'Member',
      userPrincipalName: 'malik.osei_northwind.com#EXT#@contoso.com',
      externalUserState: 'Accepted',
    });
    expect(statusOf(policy, subject({ user: member }))).toBe('fail');
    expect(statusOf(policy, subject({ user: baselineUser({ userType: 'Guest', externalUserState: null }) }))).toBe(
      'pass',
    );
    expect(statusOf(policy)).toBe('pass');
  });

  it('a policy for specific guest types may apply to a guest: unknown', () => {
    const policy = registrationPolicy({
      users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'b2bCollaborationGuest' } },
      grant: BLOCK,
    });
    expect(statusOf(policy, subject({ user: baselineUser({ userType: 'Guest' }) }))).toBe('unknown');
    expect(statusOf(policy)).toBe('pass');
  });
});

describe('conditions that narrow when a policy applies', () => {
  it.each<[string, Graph.ConditionalAccessConditionSet]>([
    ['some locations', { locations: { includeLocations: ['country-location'] } }],
    ['some platforms', { platforms: { includePlatforms: ['android', 'iOS'] } }],
    ['some client apps', { clientAppTypes: ['browser'] }],
    ['risky sign-ins', { signInRiskLevels: ['high'] }],
  ])('a block limited to %s may apply: warning', (_, narrowing) => {
    const policy = registrationPolicy({ grant: BLOCK });
    policy.conditions = { ...policy.conditions, ...narrowing };
    const [finding] = registrationPolicyFindings([policy], subject());
    expect(finding?.status).toBe('warn');
    expect(finding?.reason).toMatch(/may apply/);
  });

  it("a block everywhere except trusted locations (Microsoft's template) fails and names the trusted locations", () => {
    const policy = registrationPolicy({ grant: BLOCK });
    policy.conditions = {
      ...policy.conditions,
      locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] },
    };
    const hq = {
      '@odata.type': '#microsoft.graph.ipNamedLocation',
      id: 'hq',
      displayName: 'Contoso HQ',
      isTrusted: true,
    } as Graph.IpNamedLocation;
    const [finding] = registrationPolicyFindings([policy], subject({ namedLocations: known([hq]) }));
    expect(finding?.status).toBe('fail');
    expect(finding?.reason).toContain('everywhere except trusted locations ("Contoso HQ")');
    const byName = registrationPolicy({ grant: BLOCK });
    byName.conditions = { ...byName.conditions, locations: { includeLocations: ['All'], excludeLocations: ['hq'] } };
    expect(registrationPolicyFindings([byName], subject({ namedLocations: known([hq]) }))[0]?.status).toBe('fail');
    expect(
      registrationPolicyFindings([byName], subject({ namedLocations: unknownFact('needs Policy.Read.All') }))[0]
        ?.status,
    ).toBe('unknown');
  });

  it('"all locations" and "all platforms" do not narrow anything', () => {
    const policy = registrationPolicy({ grant: BLOCK });
    policy.conditions = {
      ...policy.conditions,
      locations: { includeLocations: ['All'] },
      platforms: { includePlatforms: ['all'] },
    };
    expect(statusOf(policy)).toBe('fail');
  });
});

describe('policies on all cloud apps, which apply to the recovery sign-in itself', () => {
  const allApps = (
    grantControls: Graph.ConditionalAccessGrantControls,
    extra: Partial<Graph.ConditionalAccessConditionSet> = {},
  ): Graph.ConditionalAccessPolicy => {
    const policy = registrationPolicy({ grant: grantControls });
    policy.conditions = { ...policy.conditions, applications: { includeApplications: ['All'] }, ...extra };
    return policy;
  };

  it('a compliant-device requirement, a block outside trusted locations and MFA alone each warn, naming the control', () => {
    expect(
      recoveryFlowFindings([allApps({ operator: 'OR', builtInControls: ['compliantDevice'] })], subject())[0]?.status,
    ).toBe('warn');
    expect(
      recoveryFlowFindings(
        [allApps(BLOCK, { locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } })],
        subject(),
      )[0]?.status,
    ).toBe('warn');
    // The 2026 FAQ names multifactor authentication among the controls that can interrupt recovery.
    const mfa = recoveryFlowFindings([allApps({ operator: 'OR', builtInControls: ['mfa'] })], subject());
    expect(mfa[0]?.status).toBe('warn');
    expect(mfa[0]?.reason).toContain('requires multifactor authentication for all cloud apps');
    expect(recoveryFlowFindings([allApps({ operator: 'OR', builtInControls: ['mfa'] })], subject())).toHaveLength(1);
    expect(
      recoveryFlowFindings(
        [
          allApps(
            { operator: 'OR', builtInControls: ['compliantDevice'] },
            { users: { includeUsers: ['someone-else'] } },
          ),
        ],
        subject(),
      ),
    ).toEqual([]);
  });
});
