import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { type EscalationRecord, markFailed, type Person } from '../../escalation/state-machine.js';
import { utcMinute } from '../../time.js';
import type { Escalation } from './context.js';
import { finish } from './outcome.js';

/** Graph's clock and ours may differ a little: a pass created this long before our claim still counts as ours. */
const CLOCK_SKEW_MS = 60_000;

type PassMethod = GraphTypes.TemporaryAccessPassAuthenticationMethod;

/**
 * After a timeout, a 5xx or a crash it is unknown whether Graph created the pass. Never create
 * another: look. A pass created since the claim has a code nobody can read again, so delete it.
 */
export async function resolveUncertainIssue(
  escalation: Escalation,
  record: EscalationRecord,
  actor: Person,
  what: string,
): Promise<EscalationRecord | undefined> {
  const key = escalation.requests.keyOf(record.tenantId, record.id);
  let methods: PassMethod[];
  try {
    methods = await escalation.directory.temporaryAccessPassMethods(record.target.id);
  } catch (error) {
    // Left 'issuing': the sweep looks again once the claim is stale.
    escalation.log.warn(
      { requestId: record.id, err: (error as Error).name },
      'could not read pass methods after an uncertain creation',
    );
    return record;
  }
  const claimedAt = Date.parse(record.updatedAt);
  const ours: PassMethod[] = [];
  for (const method of methods) {
    if (!(Date.parse(method.createdDateTime ?? '') >= claimedAt - CLOCK_SKEW_MS)) continue;
    const owner = method.id ? await escalation.requests.passMethodOwner(record.tenantId, method.id) : undefined;
    // A later request's pass, already handed over: not ours to delete.
    if (owner === undefined || owner === record.id) ours.push(method);
  }
  if (ours.length === 0) {
    return finish(escalation, key, actor, (r) =>
      markFailed(r, escalation.now(), `${what} No pass was created. It is safe to file a new request.`),
    );
  }
  const deleted = (await Promise.all(ours.map((m) => deletePass(escalation, record, m.id)))).every(Boolean);
  const createdAt = utcMinute(ours[0]!.createdDateTime!);
  return finish(escalation, key, actor, (r) =>
    markFailed(
      r,
      escalation.now(),
      `${what} A pass was created at ${createdAt}, but its code can never be read again, so ` +
        (deleted
          ? 'it was deleted. File a new request to issue a fresh pass.'
          : 'it is unusable; deleting it failed, so delete it in the Entra admin center.'),
    ),
  );
}

/** Deletes a pass nobody may use; false when that failed (the person is told to delete it by hand). */
export async function deletePass(
  escalation: Escalation,
  record: EscalationRecord,
  methodId: string | undefined,
): Promise<boolean> {
  if (!methodId) return false;
  try {
    await escalation.directory.deleteTemporaryAccessPass(record.target.id, methodId);
    return true;
  } catch (error) {
    escalation.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not delete an undelivered pass');
    return false;
  }
}
