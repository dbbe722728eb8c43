import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { type Fact, known, unknownFact } from '../eligibility/facts.js';
import type { BatchResult, Graph } from './graph.js';
import { unknownReason } from './permissions.js';

/** One `$batch` answer as a fact: its value, or unknown with the reason (a missing permission named). */
export function batchFact<T>(result: BatchResult | undefined, permission: string, pick: (body: any) => T): Fact<T> {
  if (!result) return unknownFact('Microsoft Graph returned no answer');
  return result.ok ? known(pick(result.body)) : unknownFact(unknownReason(result.error, permission));
}

/** A collection answered inside a `$batch`, with any further pages read through `@odata.nextLink`. */
export async function batchList<T>(
  graph: Graph,
  result: BatchResult | undefined,
  permission: string,
): Promise<Fact<T[]>> {
  const first = batchFact(result, permission, (body) => body as { value?: T[]; '@odata.nextLink'?: string });
  if (!first.known) return first;
  const items: T[] = [...(first.value.value ?? [])];
  const nextLink = first.value['@odata.nextLink'];
  try {
    if (nextLink) items.push(...(await graph.all<T>(nextLink)));
  } catch (error) {
    return unknownFact(unknownReason(error, permission));
  }
  return known(items);
}

/**
 * When each user was last added to one of `groups`, from "Add member to group" audit events. The
 * group is named as a target resource or in the Group.ObjectID property, depending on the event.
 */
export function additionsToGroups(events: GraphTypes.DirectoryAudit[], groups: Set<string>): Map<string, string> {
  const newest = new Map<string, string>();
  for (const event of events) {
    if (event.activityDisplayName !== 'Add member to group' || event.result !== 'success' || !event.activityDateTime)
      continue;
    const targets = event.targetResources ?? [];
    const groupIds = targets.flatMap((t) => [
      ...(t.id ? [t.id] : []),
      ...(t.modifiedProperties ?? [])
        .filter((p) => p.displayName === 'Group.ObjectID')
        .map((p) => (p.newValue ?? '').replace(/"/g, '')),
    ]);
    if (!groupIds.some((id) => groups.has(id))) continue;
    for (const target of targets) {
      if (!target.id || target.type === 'Group' || groups.has(target.id)) continue;
      const seen = newest.get(target.id);
      if (!seen || seen < event.activityDateTime) newest.set(target.id, event.activityDateTime);
    }
  }
  return newest;
}
