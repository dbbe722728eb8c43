import { describe, expect, it } from 'vitest';
import { loadTenant, resolveRelativeTimestamps, validateTenant } from '../../src/emulator/tenant.js';

const now = new Date('2031-05-04T10:00:00.000Z');

describe('relative timestamps', () => {
  it('resolves @now offsets in seconds, minutes, hours and days against the given clock', () => {
    expect(resolveRelativeTimestamps({ a: '@now', b: '@now-5m', c: ['@now+2h', '@now-30d', '@now-10s'] }, now)).toEqual(
      {
        a: '2031-05-04T10:00:00.000Z',
        b: '2031-05-04T09:55:00.000Z',
        c: ['2031-05-04T12:00:00.000Z', '2031-04-04T10:00:00.000Z', '2031-05-04T09:59:50.000Z'],
      },
    );
  });

  it('leaves ordinary strings and absolute dates alone', () => {
    expect(resolveRelativeTimestamps({ name: '@nowhere', at: '2023-06-14T08:12:00Z' }, now)).toEqual({
      name: '@nowhere',
      at: '2023-06-14T08:12:00Z',
    });
  });
});

describe('the demo tenant', () => {
  it('loads, validates and keeps "added 4 minutes ago" true in any year', async () => {
    const tenant = await loadTenant(undefined, now);
    const added = tenant.directoryAudits.find(
      (audit) =>
        audit.activityDisplayName === 'Add member to group' &&
        audit.targetResources?.some((target) => target.userPrincipalName === 'pradeep.gupta@contoso.com'),
    );
    expect(added?.activityDateTime).toBe('2031-05-04T09:56:00.000Z');
    expect(JSON.stringify(tenant)).not.toMatch(/"@now/);
  });

  it('rejects a fixture whose group refers to a member that does not exist', () => {
    const broken = {
      tenantId: 't',
      organization: { id: 't' },
      users: [],
      groups: [{ id: 'g', displayName: 'g', memberIds: ['ghost'] }],
      directoryRoles: [],
      roleAssignments: [],
      subscribedSkus: [],
      verifiedIdProfiles: [],
      conditionalAccessPolicies: [],
      directoryAudits: [],
      authenticationMethodConfigurations: {
        TemporaryAccessPass: { includeTargets: [], excludeTargets: [] },
        VerifiableCredentials: { includeTargets: [], excludeTargets: [] },
        Fido2: { includeTargets: [], excludeTargets: [] },
      },
    };
    expect(() => validateTenant(broken)).toThrow(/unknown member ghost/);
  });
});
