import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { type Fact, known, unknownFact } from '../eligibility/facts.js';
import { nameKey } from '../eligibility/names.js';
import type { Graph } from './graph.js';
import { PERMISSIONS, unknownReason } from './permissions.js';
import { graphPath, odataString } from './query.js';

/**
 * How many other users in the tenant have the same first and last name as this one, folded as
 * account recovery compares them (case, accents). Graph cannot fold in a filter, so users with the
 * surname as written, or written without its accents, are read (surname supports eq:
 * https://learn.microsoft.com/graph/api/resources/user) and compared here. A namesake whose
 * surname carries accents the target's does not is missed.
 */
export async function readNamesakes(
  graph: Graph,
  user: { id: string; givenName?: string | null; surname?: string | null },
): Promise<Fact<number>> {
  const key = nameKey(user);
  if (!key || !user.surname) return unknownFact('the account has no first and last name to compare');
  const plain = user.surname.normalize('NFD').replace(/\p{M}/gu, '');
  const surnames = [...new Set([user.surname, plain])];
  try {
    const users = await graph.all<GraphTypes.User>(
      graphPath('/users', {
        $filter: surnames.map((s) => `surname eq ${odataString(s)}`).join(' or '),
        $select: 'id,givenName,surname',
        $top: 999,
      }),
    );
    return known(users.filter((u) => u.id !== user.id && nameKey(u) === key).length);
  } catch (error) {
    return unknownFact(unknownReason(error, PERMISSIONS.users));
  }
}
