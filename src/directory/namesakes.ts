import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { type Fact, known, unknownFact } from '../eligibility/facts.js';
import { nameKey } from '../eligibility/names.js';
import type { Graph } from './graph.js';
import { PERMISSIONS, unknownReason } from './permissions.js';
import { graphPath, odataString } from './query.js';
import type { TenantFacts } from './tenant.js';

/**
 * How many other users in the tenant have the same first and last name as this one, folded as
 * account recovery compares them (case, accents), for a decision that takes effect now. Two reads
 * together: the tenant's people index (src/directory/tenant.ts getPeople: everyone by folded name,
 * the one eligibility's E5 uses, cached, so it finds a namesake whose surname carries accents this
 * one's does not), and users with the surname as written or without its accents, read now (surname
 * supports eq: https://learn.microsoft.com/graph/api/resources/user), so an account created since
 * the index was read counts too. Without the fresh read the answer is unknown; without the index,
 * only a namesake whose surname differs in accents alone, created since, is missed.
 */
export async function readNamesakes(
  graph: Graph,
  tenant: Pick<TenantFacts, 'getPolicies' | 'getPeople'>,
  user: { id: string; givenName?: string | null; surname?: string | null },
): Promise<Fact<number>> {
  const key = nameKey(user);
  if (!key || !user.surname) return unknownFact('the account has no first and last name to compare');
  const plain = user.surname.normalize('NFD').replace(/\p{M}/gu, '');
  const surnames = [...new Set([user.surname, plain])];
  const [fresh, index] = await Promise.all([
    graph
      .all<GraphTypes.User>(
        graphPath('/users', {
          $filter: surnames.map((s) => `surname eq ${odataString(s)}`).join(' or '),
          $select: 'id,givenName,surname',
          $top: 999,
        }),
      )
      .then(
        (users) => known(users.flatMap((u) => (u.id && nameKey(u) === key ? [u.id] : []))),
        (error: unknown) => unknownFact<string[]>(unknownReason(error, PERMISSIONS.users)),
      ),
    tenant
      .getPolicies()
      .then((policies) => tenant.getPeople(policies.recoveryScope))
      .catch((error: unknown) => unknownFact<never>(unknownReason(error, PERMISSIONS.users))),
  ]);
  if (!fresh.known) return fresh;
  const ids = new Set([...fresh.value, ...(index.known ? (index.value.byName.get(key) ?? []).map((t) => t.id) : [])]);
  ids.delete(user.id);
  return known(ids.size);
}
