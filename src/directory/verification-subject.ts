import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import type { IdentityProfile } from '../caller-verification/identity.js';
import type { VerificationSubject } from '../caller-verification/rules.js';
import { type Fact, known, unknownFact } from '../eligibility/facts.js';
import type { Graph } from './graph.js';
import { GraphRequestError } from './graph.js';
import { PERMISSIONS, unknownReason } from './permissions.js';
import { graphPath, odataString, userPath } from './query.js';

export type { VerificationSubject };

const SUBJECT_SELECT = 'id,userPrincipalName,givenName,surname,createdDateTime';

/**
 * The person a caller claims to be, read now. Graph's user has no history of sign-in names. The
 * directory audit log has it: an "Update user" event whose target carries a `UserPrincipalName`
 * modified property with the old and new names as JSON arrays (https://learn.microsoft.com/entra/identity/monitoring-health/troubleshoot-audit-data-verified-domain),
 * filtered by activity and target as documented
 * (https://learn.microsoft.com/graph/api/directoryaudit-list: activityDisplayName eq,
 * targetResources/any(t: t/id eq)). The log keeps 30 days with Entra ID P1
 * (https://learn.microsoft.com/entra/identity/monitoring-health/reference-reports-data-retention):
 * an older rename is not seen, and a credential under that name is then "someone else's".
 */
export async function readVerificationSubject(graph: Graph, userId: string): Promise<VerificationSubject | undefined> {
  const [user, renames] = await Promise.all([
    graph.get<GraphTypes.User>(graphPath(userPath(userId), { $select: SUBJECT_SELECT })).catch((error: unknown) => {
      if (error instanceof GraphRequestError && error.isNotFound) return undefined;
      throw error;
    }),
    graph
      .all<GraphTypes.DirectoryAudit>(
        graphPath('/auditLogs/directoryAudits', {
          $filter: `activityDisplayName eq 'Update user' and targetResources/any(t:t/id eq ${odataString(userId)})`,
          $top: 100,
        }),
      )
      .then(signInNameChanges)
      .catch(() => undefined),
  ]);
  if (!user?.userPrincipalName) return undefined;
  const current = user.userPrincipalName.toLowerCase();
  return {
    userPrincipalName: user.userPrincipalName,
    givenName: user.givenName,
    surname: user.surname,
    createdDateTime: user.createdDateTime ?? null,
    ...(renames
      ? {
          previousSignInNames: [
            ...new Set(renames.map((r) => r.from).filter((name) => name && name.toLowerCase() !== current)),
          ],
          ...sinceOf(renames, current),
        }
      : {}),
  };
}

interface Rename {
  at: string;
  from: string;
  to: string;
}

function signInNameChanges(audits: GraphTypes.DirectoryAudit[]): Rename[] {
  const renames: Rename[] = [];
  for (const audit of audits) {
    if (audit.result && audit.result !== 'success') continue;
    for (const target of audit.targetResources ?? []) {
      const change = target.modifiedProperties?.find((p) => p.displayName === 'UserPrincipalName');
      const from = firstValue(change?.oldValue);
      const to = firstValue(change?.newValue);
      if (from && to && audit.activityDateTime) renames.push({ at: audit.activityDateTime, from, to });
    }
  }
  return renames;
}

/** The newest rename to the current name: since then the account has had it. */
function sinceOf(renames: Rename[], current: string): { signInNameSince?: string } {
  const latest = renames
    .filter((r) => r.to.toLowerCase() === current)
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
  return latest ? { signInNameSince: latest.at } : {};
}

/** The audit log writes the values as JSON: `["old@contoso.com"]`, sometimes a plain JSON string. */
function firstValue(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return typeof first === 'string' && first.trim() ? first.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The tenant's Verified ID profiles (https://learn.microsoft.com/graph/api/verifiedidprofile-list). */
export async function readIdentityProfiles(graph: Graph): Promise<Fact<IdentityProfile[]>> {
  try {
    return known(await graph.all<IdentityProfile>('/identity/verifiedId/profiles'));
  } catch (error) {
    return unknownFact(unknownReason(error, PERMISSIONS.verifiedIdProfiles));
  }
}
