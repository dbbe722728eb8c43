import type { Actor } from './actor.js';
import type { PeopleFinder } from './ports.js';

/**
 * The recovery guide for a non-technical reader, addressed to the person when known. Only a
 * helpdesk agent's guide carries the sign-in name (the person must type it); a colleague's carries
 * no directory detail beyond the first name.
 */
export interface Guide {
  firstName?: string;
  signInName?: string;
  userId?: string;
}

export async function guideFor(directory: PeopleFinder, actor: Actor, userId?: string): Promise<Guide> {
  const [user] = userId ? await directory.findUsers({ kind: 'id', id: userId }) : [];
  if (!user) return {};
  const firstName = user.givenName?.trim() || user.displayName?.trim();
  const signInName = actor.isHelpdeskAgent ? (user.userPrincipalName ?? undefined) : undefined;
  return { userId: user.id, ...(firstName ? { firstName } : {}), ...(signInName ? { signInName } : {}) };
}
