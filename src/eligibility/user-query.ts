import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { isObjectId } from '../object-id.js';

/*
 * Who someone is asking about, as they typed it: parsed here, looked up by the directory adapter
 * (src/directory/users.ts). Pure, so the use cases read it without an adapter.
 */

/** How a person named the user they are asking about. */
export type UserQuery = { kind: 'id'; id: string } | { kind: 'upn'; upn: string } | { kind: 'name'; name: string };

export type DirectoryUser = GraphTypes.User & { id: string };

// UPNs may carry apostrophes and, for guests, #EXT#; nothing that could break out of a filter literal.
const UPN = /^[\p{L}\p{N}._%+\-'#!$&*=?^`{|}~]{1,64}@[\p{L}\p{N}.-]{1,253}$/u;
// Names in any script, with the punctuation real names use.
const NAME = /^[\p{L}\p{M}][\p{L}\p{M}\s'’.\-,]{0,99}$/u;
export const MAX_QUERY_LENGTH = 256;
export const MAX_MATCHES = 10;

/** Why what someone typed names nobody: fixed sentences, which the Teams layer translates by their text. */
export const QUERY_PROBLEMS = {
  empty: 'Tell me who: a name, an email address or a user principal name.',
  tooLong: `That is longer than ${MAX_QUERY_LENGTH} characters; use the person's email address.`,
  notUpn: 'That does not look like an email address or user principal name.',
  notName: 'A name can only contain letters, spaces, apostrophes, hyphens and dots.',
} as const;

/** A user query from what someone typed, or the reason it cannot be one. */
export function parseUserQuery(text: string): UserQuery | { problem: string } {
  const trimmed = text
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/^<(.*)>$/, '$1');
  if (!trimmed) return { problem: QUERY_PROBLEMS.empty };
  if (trimmed.length > MAX_QUERY_LENGTH) return { problem: QUERY_PROBLEMS.tooLong };
  if (isObjectId(trimmed)) return { kind: 'id', id: trimmed.toLowerCase() };
  if (trimmed.includes('@')) {
    return UPN.test(trimmed) ? { kind: 'upn', upn: trimmed } : { problem: QUERY_PROBLEMS.notUpn };
  }
  const name = trimmed.replace(/\s+/g, ' ');
  return NAME.test(name) ? { kind: 'name', name } : { problem: QUERY_PROBLEMS.notName };
}
