import type { Directory } from '../directory/directory.js';
import { parseUserQuery } from '../directory/users.js';
import type { Actor } from './actor.js';

/**
 * The people picker's answer while someone types a name: directory users whose name (or sign-in
 * name) starts with what was typed, through the same validated, OData-encoded lookup as "check",
 * so a keystroke costs one Graph request and never reaches Graph unescaped. A helpdesk agent sees
 * each person's sign-in name to tell namesakes apart; anyone else sees only names.
 */
export type PeopleSearchDirectory = Pick<Directory, 'findUsers'>;

/** Teams shows at most 15 typeahead choices (the dynamic-search page); the lookup returns at most 10. */
export const MAX_CHOICES = 15;
/** One letter matches half the directory; wait for two. */
export const MIN_QUERY_LENGTH = 2;

export interface PersonChoice {
  /** What the picker shows. */
  title: string;
  /** The Entra object id: what the card sends back, and all "check" needs. */
  value: string;
}

export async function searchPeople(
  directory: PeopleSearchDirectory,
  actor: Actor,
  typed: string,
  count = MAX_CHOICES,
): Promise<PersonChoice[]> {
  const text = typed.trim();
  if (text.length < MIN_QUERY_LENGTH) return [];
  const query = parseUserQuery(text);
  if ('problem' in query) return [];
  const users = await directory.findUsers(query);
  return users.slice(0, Math.max(0, Math.min(count, MAX_CHOICES))).map((user) => {
    const name = user.displayName ?? user.userPrincipalName ?? 'Unnamed user';
    return {
      title: actor.isHelpdeskAgent && user.userPrincipalName ? `${name} (${user.userPrincipalName})` : name,
      value: user.id,
    };
  });
}
