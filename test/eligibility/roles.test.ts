import { describe, expect, it } from 'vitest';
import { known, unknownFact } from '../../src/eligibility/facts.js';
import { type RoleSources, userRoles } from '../../src/eligibility/roles.js';

const USER = 'user-1';
const GROUP = 'role-group';
const GA = '62e90394-69f5-4237-9190-012177145e10';
const CUSTOM = 'custom-role';

const sources = (patch: Partial<RoleSources> = {}): RoleSources => ({
  userId: USER,
  groupIds: known([GROUP]),
  directActive: known([]),
  directEligible: known([]),
  tenant: known({ active: [], eligible: [], customRoleIds: [CUSTOM] }),
  ...patch,
});

describe('which roles make a user privileged, and which Conditional Access counts', () => {
  it('a role held through a role-assignable group counts for both', () => {
    const roles = userRoles(
      sources({
        tenant: known({
          active: [{ principalId: GROUP, roleDefinitionId: GA, directoryScopeId: '/' }],
          eligible: [],
          customRoleIds: [],
        }),
      }),
    );
    expect(roles.privileged).toEqual(known([GA]));
    expect(roles.conditionalAccess).toEqual(known([GA]));
  });

  it('a PIM-eligible role is privileged but not in Conditional Access scope', () => {
    const roles = userRoles(
      sources({ directEligible: known([{ principalId: USER, roleDefinitionId: GA, directoryScopeId: '/' }]) }),
    );
    expect(roles.privileged).toEqual(known([GA]));
    expect(roles.conditionalAccess).toEqual(known([]));
  });

  it('administrative-unit scoped and custom roles are privileged but not in Conditional Access scope', () => {
    const roles = userRoles(
      sources({
        directActive: known([
          { principalId: USER, roleDefinitionId: GA, directoryScopeId: '/administrativeUnits/au-1' },
          { principalId: USER, roleDefinitionId: CUSTOM, directoryScopeId: '/' },
        ]),
      }),
    );
    expect(roles.privileged).toEqual(known([GA, CUSTOM]));
    expect(roles.conditionalAccess).toEqual(known([]));
  });

  it('one readable role is enough to be privileged; "none" needs every source', () => {
    const denied = unknownFact('needs RoleManagement.Read.Directory');
    expect(userRoles(sources({ directEligible: denied })).privileged).toEqual(denied);
    expect(
      userRoles(
        sources({
          directActive: known([{ principalId: USER, roleDefinitionId: GA, directoryScopeId: '/' }]),
          tenant: denied,
        }),
      ).privileged,
    ).toEqual(known([GA]));
  });
});
