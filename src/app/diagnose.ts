import type { Catalogue } from '../diagnosis/catalogue.js';
import { MAX_EXTRACT_CHARS } from '../diagnosis/extract.js';
import { type Diagnosis, diagnose } from '../diagnosis/matcher.js';
import { lastRecoveryAttempt, type RecoveryAttempt } from '../diagnosis/recovery-attempt.js';
import { checkEligibility, type RequirementResult } from '../eligibility/rules.js';
import { type DirectoryUser, parseUserQuery } from '../eligibility/user-query.js';
import type { RecoveryAttempt as ClaimValidationAttempt } from '../recovery-extension/attempts.js';
import { FIRST_NAME, LAST_NAME } from '../recovery-extension/claims.js';
import type { Actor } from './actor.js';
import type { AttemptReader } from './check.js';
import type { EligibilityReader } from './ports.js';

/**
 * "Why can't they recover?": a pasted error or a picked symptom matched against the catalogue.
 * For a helpdesk agent with a known user, the live checks and the last recovery attempt from the
 * audit log say which cause applies; everyone else gets the catalogue's causes in order.
 */
export type DiagnosisDirectory = Pick<EligibilityReader, 'findUsers' | 'eligibilityFacts'>;

export interface Evidence {
  live: RequirementResult[];
  /** The bot's own record of the last claim validation callout, read before the audit log. */
  claimValidation?: ClaimValidationAttempt;
  attempt?: RecoveryAttempt;
  auditUnreadable?: string;
}

export interface DiagnosisResult {
  diagnosis: Diagnosis;
  user?: DirectoryUser;
  /** Only for helpdesk agents. */
  evidence?: Evidence;
}

/** A pasted error page, read up to what the extractor reads. */
export function diagnosePaste(catalogue: Catalogue, text: string): DiagnosisResult {
  return { diagnosis: diagnose(catalogue, { text: text.slice(0, MAX_EXTRACT_CHARS) }) };
}

/** The symptom picker, addressed to the user when the card knew who it was about. */
export async function startDiagnosis(
  directory: DiagnosisDirectory,
  userId: string | undefined,
): Promise<{ user?: DirectoryUser }> {
  const [user] = userId ? await directory.findUsers({ kind: 'id', id: userId }) : [];
  return user ? { user } : {};
}

export async function runDiagnosis(
  deps: { directory: DiagnosisDirectory; catalogue: Catalogue; attempts?: AttemptReader },
  actor: Actor,
  input: { userId?: string; target?: string; symptom?: string; errorText?: string },
): Promise<DiagnosisResult> {
  const user = await targetUser(deps.directory, input.userId, input.target);
  const evidence =
    user && actor.isHelpdeskAgent ? await gatherEvidence(deps.directory, user, deps.attempts) : undefined;
  // With nothing picked or pasted, the last attempt's failure says what to diagnose: the bot's own
  // record of the claim validation first, then what the audit log shows.
  const symptomId =
    input.symptom ??
    (input.errorText ? undefined : (claimValidationSymptom(evidence?.claimValidation) ?? evidence?.attempt?.symptomId));
  const diagnosis = diagnose(deps.catalogue, { text: input.errorText, symptomId }, evidence?.live);
  return { diagnosis, ...(user ? { user } : {}), ...(evidence ? { evidence } : {}) };
}

async function targetUser(
  directory: DiagnosisDirectory,
  userId?: string,
  typed?: string,
): Promise<DirectoryUser | undefined> {
  if (userId) return (await directory.findUsers({ kind: 'id', id: userId }))[0];
  if (!typed?.trim()) return undefined;
  const query = parseUserQuery(typed);
  if ('problem' in query) return undefined;
  const users = await directory.findUsers(query);
  return users.length === 1 ? users[0] : undefined;
}

/** The matching live checks, the last claim validation attempt and the last recovery attempt from the audit log. */
async function gatherEvidence(
  directory: DiagnosisDirectory,
  user: DirectoryUser,
  attempts?: AttemptReader,
): Promise<Evidence> {
  const upn = user.userPrincipalName;
  const [facts, claimValidation] = await Promise.all([
    directory.eligibilityFacts(user),
    upn && attempts ? attempts.latest(upn) : undefined,
  ]);
  const audit = facts.auditEvents;
  return {
    live: checkEligibility(facts).results,
    ...(claimValidation && { claimValidation }),
    ...(audit.known ? { attempt: lastRecoveryAttempt(audit.value) } : { auditUnreadable: audit.reason }),
  };
}

/** A claim validation that failed on a name is the catalogue's name mismatch. */
function claimValidationSymptom(attempt: ClaimValidationAttempt | undefined): string | undefined {
  if (attempt?.outcome !== 'failed') return undefined;
  return attempt.failedClaims.some((claim) => claim === FIRST_NAME || claim === LAST_NAME)
    ? 'name-mismatch'
    : undefined;
}
