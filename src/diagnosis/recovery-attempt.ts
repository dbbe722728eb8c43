import type * as Graph from '@microsoft/microsoft-graph-types';

/**
 * Rebuilds a user's last self-service account recovery attempt from their directory audit events,
 * so the helpdesk sees where it stopped instead of guessing.
 *
 * Activity names as Microsoft documents them (learn.microsoft.com/entra/identity/authentication/
 * concept-account-recovery-audit-log-events, October 2025): "User started account recovery",
 * "User started / completed identity issuance with certified partner", "User failed document
 * validation", "User completed identity presentation", "User failed face check comparison",
 * "User account matched and validated", "User account not matched or validated", "User registered
 * security information", "User completed account recovery". The feature is in preview, so events
 * are recognised by key phrases rather than exact names, and a step counts as failed when its name
 * says so or its result is failure/timeout.
 */

export type RecoveryStage =
  | 'started'
  | 'identityIssuance'
  | 'documentValidation'
  | 'identityPresentation'
  | 'faceCheck'
  | 'accountMatch'
  | 'securityInfoRegistration'
  | 'completed';

export interface RecoveryStep {
  stage: RecoveryStage;
  /** The audit event's own name, to show as is. */
  activity: string;
  at: string;
  failed: boolean;
  /** The event's resultReason, when it gives one. */
  reason?: string;
}

export interface RecoveryAttempt {
  correlationId?: string;
  startedAt: string;
  /** In time order. */
  steps: RecoveryStep[];
  /** The first failed step, or else the last step reached. */
  stoppedAt: RecoveryStep;
  outcome: 'completed' | 'failed' | 'incomplete';
  /** The catalogue symptom that explains the failure, where it is obvious. */
  symptomId?: string;
}

/** Phrases tried in order: the specific ones first ("face check" before "account"). */
const STAGE_PHRASES: Array<{ stage: RecoveryStage; matches: (name: string) => boolean }> = [
  { stage: 'faceCheck', matches: (name) => /face ?check/.test(name) },
  { stage: 'documentValidation', matches: (name) => name.includes('document validation') },
  { stage: 'identityIssuance', matches: (name) => name.includes('identity issuance') },
  { stage: 'identityPresentation', matches: (name) => name.includes('identity presentation') },
  { stage: 'accountMatch', matches: (name) => /\b(matched|validated)\b/.test(name) },
  // "User registered security information" is the recovery step; ordinary combined registration logs "User registered security info".
  { stage: 'securityInfoRegistration', matches: (name) => /registered security information\b/.test(name) },
  { stage: 'completed', matches: (name) => /completed (account )?recovery/.test(name) },
  { stage: 'started', matches: (name) => /started (account )?recovery/.test(name) },
];

// Admin-side events ("Account Recovery policy creation started", "... settings updated") share words with user steps.
const ADMIN_ACTIVITY = /\b(policy|settings|subscription)\b/;

const ORDER_IN_FLOW: RecoveryStage[] = [
  'started',
  'identityIssuance',
  'documentValidation',
  'identityPresentation',
  'faceCheck',
  'accountMatch',
  'securityInfoRegistration',
  'completed',
];

const SYMPTOM_FOR_FAILED_STAGE: Partial<Record<RecoveryStage, string>> = {
  documentValidation: 'id-document-rejected',
  faceCheck: 'face-check-failed',
  accountMatch: 'name-mismatch',
};

/** An attempt's events arrive within this long of its start (unless they share its correlation id). */
export const ATTEMPT_WINDOW_MS = 60 * 60 * 1000;

interface ClassifiedEvent {
  step: RecoveryStep;
  time: number;
  correlationId?: string;
}

function classify(event: Graph.DirectoryAudit): ClassifiedEvent | undefined {
  const activity = event.activityDisplayName ?? '';
  const name = activity.toLowerCase();
  const time = Date.parse(event.activityDateTime ?? '');
  if (!name || Number.isNaN(time) || ADMIN_ACTIVITY.test(name)) return undefined;
  const stage = STAGE_PHRASES.find((p) => p.matches(name))?.stage;
  if (!stage) return undefined;

  const failed =
    /\bfail|not matched|not validated/.test(name) || event.result === 'failure' || event.result === 'timeout';
  const step: RecoveryStep = { stage, activity, at: event.activityDateTime!, failed };
  if (event.resultReason) step.reason = event.resultReason;
  const classified: ClassifiedEvent = { step, time };
  if (event.correlationId) classified.correlationId = event.correlationId;
  return classified;
}

const byTimeThenFlow = (a: ClassifiedEvent, b: ClassifiedEvent) =>
  a.time - b.time || ORDER_IN_FLOW.indexOf(a.step.stage) - ORDER_IN_FLOW.indexOf(b.step.stage);

/**
 * The user's most recent recovery attempt: the last "started account recovery" event plus the
 * events sharing its correlation id or following it within an hour. Without a start event (e.g.
 * outside the audit window read) the latest recovery event and its correlation id stand in.
 */
export function lastRecoveryAttempt(events: Graph.DirectoryAudit[]): RecoveryAttempt | undefined {
  const recoveryEvents = events.flatMap((event) => classify(event) ?? []).sort(byTimeThenFlow);
  const starts = recoveryEvents.filter((e) => e.step.stage === 'started');
  // Registering security info happens outside recovery too: alone, it is no attempt.
  const anchor = starts.at(-1) ?? recoveryEvents.filter((e) => e.step.stage !== 'securityInfoRegistration').at(-1);
  if (!anchor) return undefined;

  const anchorIsStart = anchor.step.stage === 'started';
  const attempt = recoveryEvents.filter(
    (e) =>
      e === anchor ||
      (anchor.correlationId !== undefined && e.correlationId === anchor.correlationId) ||
      (anchorIsStart && e.time >= anchor.time && e.time <= anchor.time + ATTEMPT_WINDOW_MS),
  );

  const steps = attempt.map((e) => e.step);
  const firstFailure = steps.find((step) => step.failed);
  const stoppedAt = firstFailure ?? steps.at(-1)!;
  const result: RecoveryAttempt = {
    startedAt: steps[0]!.at,
    steps,
    stoppedAt,
    outcome: firstFailure ? 'failed' : steps.some((step) => step.stage === 'completed') ? 'completed' : 'incomplete',
  };
  if (anchor.correlationId) result.correlationId = anchor.correlationId;
  const symptomId = firstFailure && SYMPTOM_FOR_FAILED_STAGE[firstFailure.stage];
  if (symptomId) result.symptomId = symptomId;
  return result;
}
