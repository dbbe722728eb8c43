import { type PassSettings, passSettingsFor } from '../../escalation/pass-settings.js';
import type { ActorFacts } from '../../escalation/policy.js';
import type { RateLimits } from '../../escalation/rate-limit.js';
import { isRefusal, type Refusal, refusal } from '../../escalation/refusal.js';
import { type Sentence, say } from '../../escalation/sentence.js';
import {
  type EscalationPolicy,
  type EscalationRecord,
  type Person,
  samePerson,
  type VerificationMethod,
} from '../../escalation/state-machine.js';
import { type AssessedTarget, assessTarget } from '../../escalation/target.js';
import type { Logger } from '../../log.js';
import type { Actor } from '../actor.js';
import type {
  CallerVerificationPort,
  CallerVerificationView,
  EscalationDirectory,
  EscalationNotifier,
  OutcomeNotices,
  Requests,
} from '../ports.js';

export interface EscalationSettings extends EscalationPolicy, RateLimits {
  /** The lifetime asked for each pass before the policy clamps it. */
  tapLifetimeMinutes: number;
  /** A request still waiting reminds its approvers after this long (src/app/escalation/nudges.ts); default 10. */
  remindMinutes?: number;
  /** ... and goes to every approver who has not had it yet after this long; default 20. */
  widenMinutes?: number;
  /** No other process uses this store (the embedded store refuses a second one), so an unfinished claim is always orphaned. */
  exclusiveStore?: boolean;
}

/** What every escalation use case works with: its ports, its settings, and what this process is doing now. */
export interface Escalation {
  requests: Requests;
  directory: EscalationDirectory;
  notifier: EscalationNotifier;
  settings: EscalationSettings;
  log: Logger;
  now: () => Date;
  /** Who else hears how a request ended; none in tests that do not need it. */
  outcomes?: OutcomeNotices;
  callerVerification?: CallerVerificationPort;
  /** Requests this process is issuing right now; the sweep leaves them alone. */
  issuing: Set<string>;
}

/** What the request form shows before anything is filed. */
export interface RequestForm extends AssessedTarget {
  passSettings: PassSettings | undefined;
}

/** A request as one person may see it now: whether they may decide, and what their action did. */
export interface RequestView {
  record: EscalationRecord;
  canDecide: boolean;
  /** Whether Approve is offered: false while a required caller verification has not passed. Absent means as canDecide. */
  canApprove?: boolean;
  /** The pass a decision would create, for those who may decide. */
  passSettings?: PassSettings;
  /** Why the person's action did not apply, when it did not. */
  notice?: Sentence;
  /** Caller verification with Verified ID, when configured: its evidence is shown to everyone who may see the request. */
  verification?: CallerVerificationView;
}

export interface FiledRequest extends RequestView {
  notified: Person[];
  /** Approvers who have never opened the app, so no card could reach them. */
  unreachable: UnreachablePerson[];
}

/** A person no card could reach; `notInstalled` says why the app could not be installed for them, when that was tried. */
export type UnreachablePerson = Person & { notInstalled?: string };

export interface NewEscalation {
  /** The card instance the form was sent from (the invoke's replyToId), so sending the same form twice files once. */
  formId?: string;
  targetId: string;
  reason: string;
  verification: { method: VerificationMethod; detail?: string };
}

/** The lifetime and one-time setting a pass would get now, clamped to the tenant's (cached) policy; undefined when unreadable. */
export async function currentPassSettings(escalation: Escalation): Promise<PassSettings | undefined> {
  const { tapPolicy } = await escalation.directory.tenant.getPolicies();
  return tapPolicy.known ? passSettingsFor(tapPolicy.value, escalation.settings.tapLifetimeMinutes) : undefined;
}

/**
 * Whether a pass may be requested for this user now, read fresh (privilege decides this request
 * now), with the pass settings the TAP policy just read allows.
 */
export async function assessTargetNow(
  escalation: Escalation,
  targetId: string,
): Promise<(AssessedTarget & { passSettings: PassSettings | undefined }) | Refusal> {
  const facts = await escalation.directory.targetFacts(targetId);
  const assessed = assessTarget(facts.user, facts, escalation.settings);
  if (isRefusal(assessed)) return assessed;
  const passSettings = facts.tapPolicy.known
    ? passSettingsFor(facts.tapPolicy.value, escalation.settings.tapLifetimeMinutes)
    : undefined;
  return { ...assessed, passSettings };
}

/** The target's manager and the approver group's members, never the target: read fresh, since it decides. */
export async function approversFor(escalation: Escalation, targetId: string): Promise<Person[]> {
  const [manager, members] = await Promise.all([
    escalation.directory.manager(targetId),
    escalation.directory.approverGroupMembers(),
  ]);
  const people: Person[] = [];
  for (const user of [...(manager ? [manager] : []), ...members]) {
    if (samePerson(user, { id: targetId }) || people.some((p) => samePerson(p, user))) continue;
    people.push({ id: user.id, name: user.displayName ?? user.userPrincipalName ?? user.id });
  }
  return people;
}

/** Policy facts without the fresh approver reading: for actions that do not depend on it. */
export function actorFacts(actor: Actor, isApproverForTarget: boolean): ActorFacts {
  return { id: actor.id, tenantId: actor.tenantId, isHelpdeskAgent: actor.isHelpdeskAgent, isApproverForTarget };
}

/** The one answer to "is this person an approver for this request", read from Graph now. */
export async function freshActorFacts(
  escalation: Escalation,
  actor: Actor,
  record: EscalationRecord,
): Promise<ActorFacts> {
  if (actor.tenantId !== record.tenantId) return actorFacts(actor, false);
  const approvers = await approversFor(escalation, record.target.id);
  return actorFacts(
    actor,
    approvers.some((a) => samePerson(a, actor)),
  );
}

/** What is said when a person is not in a chat the pass could be shown in. */
export const noPersonalChat = () =>
  refusal(
    'no-personal-chat',
    say(
      'The pass can only be shown to you in your own 1:1 chat with the SSAR Helpdesk app, and you have not opened it yet. Open it, then file the request again.',
    ),
    say('Open a 1:1 chat with me first'),
  );
