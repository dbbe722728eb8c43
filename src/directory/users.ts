import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { isObjectId } from '../object-id.js';
import { USER_SELECT } from './facts.js';
import { type Graph, GraphRequestError } from './graph.js';
import { graphPath, odataString, userPath } from './query.js';

/** How a person named the user they are asking about. */
export type UserQuery = { kind: 'id'; id: string } | { kind: 'upn'; upn: string } | { kind: 'name'; name: string };

export type DirectoryUser = GraphTypes.User & { id: string };

// UPNs may carry apostrophes and, for guests, #EXT#; nothing that could break out of a filter literal.
const UPN = /^[\p{L}\p{N}._%+\-'#!$&*=?^`{|}~]{1,64}@[\p{L}\p{N}.-]{1,253}$/u;
// Names in any script, with the punctuation real names use.
const NAME = /^[\p{L}\p{M}][\p{L}\p{M}\s'’.\-,]{0,99}$/u;
export const MAX_QUERY_LENGTH = 256;
export const MAX_MATCHES = 10;

/** A user query from what someone typed, or the reason it cannot be one. */
export function parseUserQuery(text: string): UserQuery | { problem: string } {
  const trimmed = text
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/^<(.*)>$/, '$1');
  if (!trimmed) return { problem: 'Tell me who: a name, an email address or a user principal name.' };
  if (trimmed.length > MAX_QUERY_LENGTH)
    return { problem: `That is longer than ${MAX_QUERY_LENGTH} characters; use the person's email address.` };
  if (isObjectId(trimmed)) return { kind: 'id', id: trimmed.toLowerCase() };
  if (trimmed.includes('@')) {
    return UPN.test(trimmed)
      ? { kind: 'upn', upn: trimmed }
      : { problem: 'That does not look like an email address or user principal name.' };
  }
  const name = trimmed.replace(/\s+/g, ' ');
  return NAME.test(name)
    ? { kind: 'name', name }
    : { problem: 'A name can only contain letters, spaces, apostrophes, hyphens and dots.' };
}

/** The users matching a query, at most MAX_MATCHES; empty when there is no such user in this tenant. */
export async function findUsers(graph: Graph, query: UserQuery): Promise<DirectoryUser[]> {
  if (query.kind === 'id' || query.kind === 'upn') {
    const key = query.kind === 'id' ? query.id : query.upn;
    const user = await orNotFound(graph.get<DirectoryUser>(graphPath(userPath(key), { $select: USER_SELECT })));
    if (user || query.kind === 'id') return user ? [user] : [];
    // Not a UPN: any other address Graph knows the person by. `mail`, `otherMails` and `proxyAddresses`
    // support `eq` (the last two through `any`) without advanced query parameters; a proxy address is
    // stored as "SMTP:" (primary) or "smtp:" (alias), and Graph compares them case-insensitively.
    // https://learn.microsoft.com/graph/api/resources/user (Properties: mail, otherMails, proxyAddresses)
    const address = odataString(query.upn);
    const smtp = odataString(`smtp:${query.upn}`);
    return page(
      graph,
      graphPath('/users', {
        $filter: `mail eq ${address} or otherMails/any(m:m eq ${address}) or proxyAddresses/any(p:p eq ${smtp})`,
        $select: USER_SELECT,
        $top: MAX_MATCHES,
      }),
    );
  }
  const words = query.name.split(' ');
  const whole = odataString(query.name);
  const clauses = [`startswith(displayName,${whole})`, `startswith(userPrincipalName,${whole})`];
  if (words.length >= 2) {
    const first = odataString(words.slice(0, -1).join(' '));
    const last = odataString(words.at(-1)!);
    clauses.push(`(startswith(givenName,${first}) and startswith(surname,${last}))`);
  } else {
    clauses.push(`startswith(givenName,${whole})`, `startswith(surname,${whole})`);
  }
  return page(graph, graphPath('/users', { $filter: clauses.join(' or '), $select: USER_SELECT, $top: MAX_MATCHES }));
}

async function page(graph: Graph, path: string): Promise<DirectoryUser[]> {
  const first = await graph.get<{ value?: DirectoryUser[] }>(path);
  return (first.value ?? []).slice(0, MAX_MATCHES);
}

async function orNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof GraphRequestError && error.isNotFound) return undefined;
    throw error;
  }
}
