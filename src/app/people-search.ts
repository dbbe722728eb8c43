import { parseUserQuery } from '../eligibility/user-query.js';
import type { Actor } from './actor.js';
import { sameNameKey } from './check.js';
import type { PeopleFinder } from './ports.js';

/**
 * The people picker's answer while someone types a name: directory users whose name (or sign-in
 * name) starts with what was typed, through the same validated, OData-encoded lookup as "check",
 * so a keystroke costs one Graph request and never reaches Graph unescaped. A helpdesk agent sees
 * each person's sign-in name to tell namesakes apart; anyone else sees only names.
 */
export type PeopleSearchDirectory = PeopleFinder;

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
  const choices = users.slice(0, Math.max(0, Math.min(count, MAX_CHOICES)));
  if (actor.isHelpdeskAgent)
    return choices.map((user) => {
      const name = user.displayName ?? user.userPrincipalName ?? 'Unnamed user';
      return { title: user.userPrincipalName ? `${name} (${user.userPrincipalName})` : name, value: user.id };
    });
  // Names only; people who share a name are one choice whose value is the name, so checking it
  // answers that several people have it instead of picking one of them.
  const byName = new Map<string, { title: string; ids: string[] }>();
  for (const user of choices) {
    const key = sameNameKey(user.displayName);
    const entry = byName.get(key) ?? { title: user.displayName ?? 'Unnamed user', ids: [] };
    entry.ids.push(user.id);
    byName.set(key, entry);
  }
  return [...byName.values()].map(({ title, ids }) =>
    ids.length === 1 ? { title, value: ids[0]! } : { title: `${title} (${ids.length} people)`, value: title },
  );
}
