import { describe, expect, it } from 'vitest';
import { type EligibilityFacts, known, unknownFact } from '../../src/eligibility/facts.js';
import { checkEligibility, colleagueView, type RequirementId } from '../../src/eligibility/rules.js';
import {
  baselineUser,
  eligibleFacts,
  membership,
  method,
  P2_PLAN_ID,
  premiumSku,
  READ_AT,
  recoveryScope,
  registrationPolicy,
  SSAR_GROUP_ID,
  tapPolicy,
  userLicence,
} from './snapshot-builder.js';

const resultOf = (facts: EligibilityFacts, id: RequirementId) => {
  const result = checkEligibility(facts).results.find((r) => r.id === id);
  if (!result) throw new Error(`no result for ${id}`);
  return result;
};

const minutesBeforeReadAt = (minutes: number) => new Date(READ_AT.getTime() - minutes * 60_000).toISOString();

describe('the eligible baseline', () => {
  it('passes every requirement, in E-order, and can recover on its own', () => {
    const eligibility = checkEligibility(eligibleFacts());
    expect(eligibility.results.map((r) => r.id)).toEqual([
      'E1',
      'E2',
      'E3',
      'E4',
      'E5',
      'E6',
      'E7',
      'E8',
      'E9',
      'E10',
      'E11',
      'E12',
    ]);
    expect(eligibility.results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(eligibility.verdict).toBe('pass');
    expect(eligibility.canSelfRecover).toBe(true);
    expect(eligibility.betterPath).toBeUndefined();
    expect(eligibility.summary).toMatch(/^Eligible/);
  });
});

describe('E1 account exists, is enabled and is a member', () => {
  it('a disabled account fails and needs an admin to re-enable it', () => {
    const result = resultOf(eligibleFacts({ user: baselineUser({ accountEnabled: false }) }), 'E1');
    expect(result.status).toBe('fail');
    expect(result.fix).toMatch(/^Admin: re-enable/);
  });

  it('a guest fails and is sent to recover in their home tenant', () => {
    const result = resultOf(eligibleFacts({ user: baselineUser({ userType: 'Guest' }) }), 'E1');
    expect(result.status).toBe('fail');
    expect(result.fix).toMatch(/home organisation/);
  });

  it('is unknown when the directory did not return accountEnabled', () => {
    const result = resultOf(eligibleFacts({ user: baselineUser({ accountEnabled: null }) }), 'E1');
    expect(result.status).toBe('unknown');
    expect(result.unknownReason).toMatch(/accountEnabled/);
  });
});

describe('E2 member of a recovery group', () => {
  it('a direct member passes and the evidence names the group', () => {
    const result = resultOf(eligibleFacts(), 'E2');
    expect(result.status).toBe('pass');
    expect(result.evidence).toContain('Direct member of "acl_ssar_enabled"');
  });

  it('recovery assigned to all users includes everyone, whatever their groups', () => {
    const facts = eligibleFacts({
      recoveryScope: known(recoveryScope({ includeGroupIds: ['all_users'] })),
      membership: known(membership([])),
    });
    const result = resultOf(facts, 'E2');
    expect(result.status).toBe('pass');
    expect(result.evidence).toContain('all users');
  });

  it('a user outside every recovery group fails with "add to the group, then wait"', () => {
    const result = resultOf(eligibleFacts({ membership: known(membership(['other-group'])) }), 'E2');
    expect(result.status).toBe('fail');
    expect(result.fix).toMatch(/^Admin: add the user directly to "acl_ssar_enabled".*wait/);
  });

  it('a member only through a nested group is a warning: nested membership is not confirmed to count', () => {
    const result = resultOf(eligibleFacts({ membership: known(membership(['team-group'], [SSAR_GROUP_ID])) }), 'E2');
    expect(result.status).toBe('warn');
    expect(result.evidence).toMatch(/only through a nested group.*not confirmed/);
  });

  it('a member of an excluded group fails even when also included: exclusions win', () => {
    const facts = eligibleFacts({
      recoveryScope: known(
        recoveryScope({
          excludeGroupIds: ['vip'],
          groupNames: { [SSAR_GROUP_ID]: 'acl_ssar_enabled', vip: 'vip_no_ssar' },
        }),
      ),
      membership: known(membership([SSAR_GROUP_ID], ['vip'])),
    });
    const result = resultOf(facts, 'E2');
    expect(result.status).toBe('fail');
    expect(result.evidence).toContain('"vip_no_ssar"');
  });

  it('someone added 5 minutes ago is told to wait for the recovery link', () => {
    const result = resultOf(eligibleFacts({ addedToRecoveryGroupAt: known(minutesBeforeReadAt(5)) }), 'E2');
    expect(result.status).toBe('warn');
    expect(result.evidence).toContain('Added 5 minutes ago');
    expect(result.fix).toMatch(/^User: wait/);
  });

  it('someone added an hour ago passes', () => {
    expect(resultOf(eligibleFacts({ addedToRecoveryGroupAt: known(minutesBeforeReadAt(60)) }), 'E2').status).toBe(
      'pass',
    );
  });

  it('an unreadable audit log does not hide a confirmed membership, but says when they were added is unknown', () => {
    const result = resultOf(eligibleFacts({ addedToRecoveryGroupAt: unknownFact('needs AuditLog.Read.All') }), 'E2');
    expect(result.status).toBe('pass');
    expect(result.evidence).toContain('needs AuditLog.Read.All');
  });

  it('is unknown when the recovery groups or the membership cannot be read', () => {
    expect(
      resultOf(eligibleFacts({ recoveryScope: unknownFact('needs Policy.Read.AuthenticationMethod') }), 'E2'),
    ).toMatchObject({
      status: 'unknown',
      unknownReason: 'needs Policy.Read.AuthenticationMethod',
    });
    expect(resultOf(eligibleFacts({ membership: unknownFact('needs GroupMember.Read.All') }), 'E2').status).toBe(
      'unknown',
    );
  });

  it('fails when recovery is assigned to no group', () => {
    expect(resultOf(eligibleFacts({ recoveryScope: known(recoveryScope({ includeGroupIds: [] })) }), 'E2').status).toBe(
      'fail',
    );
  });
});

describe('E3 prior successful sign-in', () => {
  it('a recorded sign-in passes and shows its date', () => {
    const result = resultOf(eligibleFacts(), 'E3');
    expect(result.status).toBe('pass');
    expect(result.evidence).toContain('2025-12-20 08:30 UTC');
  });

  it.each([null, '0001-01-01T00:00:00Z'])('a user who never signed in (%s) fails', (value) => {
    const result = resultOf(eligibleFacts({ lastSuccessfulSignIn: known(value) }), 'E3');
    expect(result.status).toBe('fail');
    expect(result.fix).toMatch(/escalate/);
  });

  it('passes the reason through when sign-in activity cannot be read', () => {
    const result = resultOf(eligibleFacts({ lastSuccessfulSignIn: unknownFact('needs AuditLog.Read.All') }), 'E3');
    expect(result).toMatchObject({ status: 'unknown', unknownReason: 'needs AuditLog.Read.All' });
    expect(result.evidence).toContain('needs AuditLog.Read.All');
  });
});

describe('E4 first and last name as on the ID', () => {
  it('quotes both names exactly so the agent can compare them with the ID', () => {
    const user = baselineUser({ givenName: 'Zoë  ', surname: "O'Brien-Ünal", displayName: "Zoë O'Brien-Ünal" });
    const result = resultOf(eligibleFacts({ user }), 'E4');
    expect(result.evidence).toContain('First name "Zoë  "');
    expect(result.evidence).toContain(`Last name "O'Brien-Ünal"`);
  });

  it('a user with an empty surname fails the name requirement', () => {
    const result = resultOf(eligibleFacts({ user: baselineUser({ surname: '' }) }), 'E4');
    expect(result.status).toBe('fail');
    expect(result.fix).toMatch(/^Admin \(User Administrator\): change First name and Last name/);
  });

  it('a user without a first name fails the name requirement', () => {
    expect(resultOf(eligibleFacts({ user: baselineUser({ givenName: null }) }), 'E4').status).toBe('fail');
  });

  it('a likely nickname is a warning for the agent to check', () => {
    const result = resultOf(eligibleFacts({ user: baselineUser({ givenName: 'Bob', displayName: 'Bob Doe' }) }), 'E4');
    expect(result.status).toBe('warn');
    expect(result.evidence).toContain('Robert');
  });

  it('clean names pass, still asking the agent to confirm against the ID', () => {
    const result = resultOf(eligibleFacts(), 'E4');
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatch(/confirm/);
  });
});

describe('E5 no name twin in the recovery group', () => {
  it('a twin fails and the agent sees who it is', () => {
    const twin = { id: 'twin-1', displayName: 'Jonathan Doe (Sales)', userPrincipalName: 'jdoe2@contoso.example' };
    const result = resultOf(eligibleFacts({ nameTwins: known([twin]) }), 'E5');
    expect(result.status).toBe('fail');
    expect(result.evidence).toContain('Jonathan Doe (Sales) (jdoe2@contoso.example)');
  });

  it('the user is not their own twin', () => {
    const self = {
      id: baselineUser().id!,
      displayName: 'Jonathan Doe',
      userPrincipalName: 'jonathan.doe@contoso.example',
    };
    expect(resultOf(eligibleFacts({ nameTwins: known([self]) }), 'E5').status).toBe('pass');
  });

  it('is unknown when the group members cannot be listed', () => {
    expect(resultOf(eligibleFacts({ nameTwins: unknownFact('needs GroupMember.Read.All') }), 'E5').status).toBe(
      'unknown',
    );
  });
});

describe('E6 Temporary Access Pass enabled for the user', () => {
  it('passes for all users and shows the lifetime and one-time setting', () => {
    const result = resultOf(eligibleFacts(), 'E6');
    expect(result.status).toBe('pass');
    expect(result.evidence).toContain('lifetime 60 min by default (min 60 min, max 480 min), one-time use only');
  });

  it('a disabled TAP method fails: verification would succeed but no pass is issued', () => {
    const result = resultOf(eligibleFacts({ tapPolicy: known(tapPolicy({ state: 'disabled' })) }), 'E6');
    expect(result.status).toBe('fail');
    expect(result.evidence).toMatch(/no pass/);
  });

  it('a user in an excluded group fails', () => {
    const policy = tapPolicy({ excludeTargets: [{ id: SSAR_GROUP_ID, targetType: 'group' }] });
    const result = resultOf(eligibleFacts({ tapPolicy: known(policy) }), 'E6');
    expect(result.status).toBe('fail');
    expect(result.evidence).toContain('"acl_ssar_enabled"');
  });

  it('is unknown when the TAP policy cannot be read', () => {
    expect(
      resultOf(eligibleFacts({ tapPolicy: unknownFact('needs Policy.Read.AuthenticationMethod') }), 'E6').status,
    ).toBe('unknown');
  });
});

describe('E7 Conditional Access on registering security info', () => {
  it('a policy blocking the action for everyone fails and the admin is told what to change', () => {
    const policy = registrationPolicy({
      displayName: 'Block registration',
      grant: { operator: 'OR', builtInControls: ['block'] },
    });
    const result = resultOf(eligibleFacts({ conditionalAccessPolicies: known([policy]) }), 'E7');
    expect(result.status).toBe('fail');
    expect(result.evidence).toContain('"Block registration"');
    expect(result.fix).toMatch(/^Admin: .*authentication strength that includes Temporary Access Pass/);
  });

  it('a report-only block is a warning, not a fail', () => {
    const policy = registrationPolicy({
      state: 'enabledForReportingButNotEnforced',
      grant: { builtInControls: ['block'] },
    });
    expect(resultOf(eligibleFacts({ conditionalAccessPolicies: known([policy]) }), 'E7').status).toBe('warn');
  });

  it('no policy on the action passes', () => {
    expect(resultOf(eligibleFacts({ conditionalAccessPolicies: known([]) }), 'E7').status).toBe('pass');
  });

  it('is unknown when the policies cannot be read', () => {
    expect(
      resultOf(eligibleFacts({ conditionalAccessPolicies: unknownFact('needs Policy.Read.All') }), 'E7').status,
    ).toBe('unknown');
  });

  it('a group-targeted block with unreadable membership is unknown, not pass', () => {
    const policy = registrationPolicy({ users: { includeGroups: ['g-1'] }, grant: { builtInControls: ['block'] } });
    const facts = eligibleFacts({
      conditionalAccessPolicies: known([policy]),
      membership: unknownFact('needs GroupMember.Read.All'),
    });
    const result = resultOf(facts, 'E7');
    expect(result.status).toBe('unknown');
    expect(result.unknownReason).toContain('needs GroupMember.Read.All');
  });
});

describe('E8 recovery mode', () => {
  it('evaluation mode fails, saying the mode came from the tenant', () => {
    const result = resultOf(eligibleFacts({ recoveryScope: known(recoveryScope({ mode: 'evaluation' })) }), 'E8');
    expect(result.status).toBe('fail');
    expect(result.evidence).toContain("the tenant's recovery profile");
  });

  it("production mode from the bot's configuration passes and says where it came from", () => {
    const result = resultOf(eligibleFacts({ recoveryScope: known(recoveryScope({ source: 'config' })) }), 'E8');
    expect(result.status).toBe('pass');
    expect(result.evidence).toContain("the bot's configuration");
  });

  it('is unknown without a recovery configuration', () => {
    expect(resultOf(eligibleFacts({ recoveryScope: unknownFact('no configuration') }), 'E8').status).toBe('unknown');
  });
});

describe('E9 Entra ID P1 or higher', () => {
  it('an enabled P2 plan passes', () => {
    const result = resultOf(eligibleFacts({ subscribedSkus: known([premiumSku(P2_PLAN_ID)]) }), 'E9');
    expect(result.status).toBe('pass');
    expect(result.evidence).toContain('AAD_PREMIUM_P2');
  });

  it('a tenant without a premium plan fails', () => {
    const basic = {
      skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
      capabilityStatus: 'Enabled',
      servicePlans: [{ servicePlanId: 'x', servicePlanName: 'EXCHANGE_S_STANDARD' }],
    };
    expect(resultOf(eligibleFacts({ subscribedSkus: known([basic]) }), 'E9').status).toBe('fail');
  });

  it('a suspended premium subscription fails', () => {
    expect(resultOf(eligibleFacts({ subscribedSkus: known([premiumSku(undefined, 'Suspended')]) }), 'E9').status).toBe(
      'fail',
    );
  });

  it('a premium subscription in its grace period is a warning', () => {
    expect(resultOf(eligibleFacts({ subscribedSkus: known([premiumSku(undefined, 'Warning')]) }), 'E9').status).toBe(
      'warn',
    );
  });

  it('is unknown when the SKUs cannot be read', () => {
    expect(resultOf(eligibleFacts({ subscribedSkus: unknownFact('needs Organization.Read.All') }), 'E9').status).toBe(
      'unknown',
    );
  });
});

describe('E10 no usable method left', () => {
  it('a user who still has Authenticator is pointed to SSPR', () => {
    const facts = eligibleFacts({
      authenticationMethods: known([
        method('passwordAuthenticationMethod'),
        method('microsoftAuthenticatorAuthenticationMethod'),
      ]),
    });
    const eligibility = checkEligibility(facts);
    const result = eligibility.results.find((r) => r.id === 'E10');
    expect(result?.status).toBe('warn');
    expect(result?.evidence).toContain('Microsoft Authenticator');
    expect(eligibility.betterPath).toBe('sspr');
    expect(eligibility.canSelfRecover).toBe(true);
  });

  it('a used Temporary Access Pass does not count as a method', () => {
    const spent = method('temporaryAccessPassAuthenticationMethod', {
      isUsable: false,
      methodUsabilityReason: 'OneTimeUsed',
    });
    expect(resultOf(eligibleFacts({ authenticationMethods: known([spent]) }), 'E10').status).toBe('pass');
  });

  it('a still usable Temporary Access Pass counts', () => {
    const usable = method('temporaryAccessPassAuthenticationMethod', { isUsable: true });
    expect(resultOf(eligibleFacts({ authenticationMethods: known([usable]) }), 'E10').status).toBe('warn');
  });

  it.each(['fido2', 'windowsHelloForBusiness', 'phone', 'softwareOath', 'email', 'platformCredential'])(
    'a registered %s method is a warning',
    (kind) => {
      const facts = eligibleFacts({ authenticationMethods: known([method(`${kind}AuthenticationMethod`)]) });
      expect(resultOf(facts, 'E10').status).toBe('warn');
    },
  );

  it('is unknown when the methods cannot be read', () => {
    expect(
      resultOf(eligibleFacts({ authenticationMethods: unknownFact('needs UserAuthenticationMethod.Read.All') }), 'E10')
        .status,
    ).toBe('unknown');
  });
});

describe('the verdict', () => {
  it('one unknown check makes the verdict unknown, never pass', () => {
    const eligibility = checkEligibility(
      eligibleFacts({ lastSuccessfulSignIn: unknownFact('needs AuditLog.Read.All') }),
    );
    expect(eligibility.verdict).toBe('unknown');
    expect(eligibility.canSelfRecover).toBe(false);
    expect(eligibility.summary).toContain('E3');
  });

  it('a fail outranks an unknown', () => {
    const eligibility = checkEligibility(
      eligibleFacts({
        lastSuccessfulSignIn: unknownFact('needs AuditLog.Read.All'),
        user: baselineUser({ accountEnabled: false }),
      }),
    );
    expect(eligibility.verdict).toBe('fail');
    expect(eligibility.summary).toMatch(/^Not eligible.*E1/);
  });

  it('an unknown outranks a warning', () => {
    const eligibility = checkEligibility(
      eligibleFacts({
        subscribedSkus: unknownFact('needs Organization.Read.All'),
        user: baselineUser({ givenName: 'Bob' }),
      }),
    );
    expect(eligibility.verdict).toBe('unknown');
  });

  it('warnings alone still let the user recover with the guide', () => {
    const eligibility = checkEligibility(
      eligibleFacts({ user: baselineUser({ givenName: 'Bob', displayName: 'Bob Doe' }) }),
    );
    expect(eligibility.verdict).toBe('warn');
    expect(eligibility.canSelfRecover).toBe(true);
    expect(eligibility.summary).toContain('E4');
  });
});

describe('what a colleague sees', () => {
  it('a colleague learns only that the person can recover with the guide', () => {
    expect(colleagueView(checkEligibility(eligibleFacts()))).toEqual({
      canSelfRecover: true,
      message: 'They can recover their account on their own with the guide.',
    });
  });

  it('a colleague learns only that the person needs the helpdesk', () => {
    const view = colleagueView(
      checkEligibility(eligibleFacts({ recoveryScope: known(recoveryScope({ mode: 'evaluation' })) })),
    );
    expect(view).toEqual({ canSelfRecover: false, message: 'They need the helpdesk to recover their account.' });
  });
});

describe('E9 a licence plan that is not provisioned', () => {
  it('warns with the plan status instead of passing', () => {
    const licence = userLicence();
    licence.servicePlans![0]!.provisioningStatus = 'PendingProvisioning';
    const result = resultOf(eligibleFacts({ userLicences: known([licence]) }), 'E9');
    expect(result.status).toBe('warn');
    expect(result.evidence).toContain('AAD_PREMIUM in AAD_PREMIUM is PendingProvisioning');
  });
});
