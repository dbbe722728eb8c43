import { type DirectoryUser, MAX_MATCHES, type UserQuery } from '../eligibility/user-query.js';
import { USER_SELECT } from './facts.js';
import { type Graph, GraphRequestError } from './graph.js';
import { graphPath, odataString, userPath } from './query.js';

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
