import type {
  EscalationNotifier,
  LiveViewFacts,
  PassSettings,
  PassToDeliver,
  RequestView,
} from '../app/escalations.js';
import type { CallerVerificationPort } from '../app/ports.js';
import { type EscalationRecord, type Person, samePerson } from '../escalation/state-machine.js';
import { type AdaptiveCard, cardTime, plain } from './cards.js';
import { ProactiveSendFailed } from './conversations.js';
import { type EscalationDependencies, escalationCard } from './escalation.js';
import type { LiveCard } from './live-cards.js';
import { forReader, t } from './locale.js';
import { passGroups, passSpelled } from './read-aloud.js';

/** Approval cards, the pass and status news, each only ever to one person's 1:1 chat. */
export class TeamsEscalationNotifier implements EscalationNotifier {
  /** With a live card index, each request keeps one live card per person, replaced in place as it moves. */
  constructor(
    private readonly deps: Pick<EscalationDependencies, 'personalChats' | 'cards' | 'liveCards'> & {
      /** Caller verification: every card shows it, the first approval card included. */
      verification?: CallerVerificationPort;
    },
  ) {}

  hasPersonalChat(tenantId: string, userId: string): Promise<boolean> {
    return this.deps.personalChats.has(tenantId, userId);
  }

  reachPersonalChat(tenantId: string, userId: string): Promise<string | undefined> {
    return this.deps.personalChats.reach(tenantId, userId);
  }

  // Each card is written in its recipient's language, not in that of the person whose turn sends it.
  async askApprover(record: EscalationRecord, approver: Person, passSettings: PassSettings | undefined): Promise<void> {
    const verification = await this.deps.verification?.factsFor(record);
    const card = await this.cardFor(record, approver.id, 'approver', {
      passSettings,
      ...(verification ? { verification } : {}),
    });
    const activityId = await this.sendOrThrow(record.tenantId, approver.id, card);
    await this.deps.liveCards?.remember(record, approver, activityId, 'approver');
  }

  async deliverPass(record: EscalationRecord, pass: PassToDeliver): Promise<void> {
    const card = forReader(await this.deps.personalChats.reader(record.tenantId, record.requester.id), () =>
      this.passCard(record, pass),
    );
    await this.sendOrThrow(record.tenantId, record.requester.id, card);
  }

  private passCard(record: EscalationRecord, pass: PassToDeliver): AdaptiveCard {
    return this.deps.cards.render('tap-issued', {
      requestId: record.id,
      targetName: plain(record.target.name),
      userPrincipalName: plain(record.target.userPrincipalName),
      code: pass.code,
      codeGroups: passGroups(pass.code),
      codeSpelled: passSpelled(pass.code),
      startsAt: cardTime(pass.startsAt),
      expiresAt: t('${at} (${minutes} minutes)', { at: cardTime(pass.expiresAt), minutes: pass.lifetimeInMinutes }),
      oneTime: pass.isUsableOnce ? t('Yes: it works for one sign-in only') : t('No: it works until it expires'),
    });
  }

  /** The requester's live card shows what happened; a new card only when they have none that can be replaced. */
  async notifyRequester(record: EscalationRecord, facts: LiveViewFacts = {}): Promise<void> {
    const live = await this.deps.liveCards?.cardOf(record, record.requester.id);
    if (
      live &&
      (await this.replace(record, live, facts).then(
        () => true,
        () => false,
      ))
    )
      return;
    const card = await this.cardFor(record, record.requester.id, 'requester', facts);
    const activityId = await this.sendOrThrow(record.tenantId, record.requester.id, card);
    await this.deps.liveCards?.remember(record, record.requester, activityId, 'requester');
  }

  /**
   * Every live card of the request (the requester's, each approver's) replaced by the request as
   * it stands now, with only the buttons that still apply. Throws, after trying them all, when one
   * could not be replaced.
   */
  async refreshCards(record: EscalationRecord, facts: LiveViewFacts): Promise<void> {
    const failed: string[] = [];
    for (const live of (await this.deps.liveCards?.cardsFor(record)) ?? []) {
      await this.replace(record, live, facts).catch((error: unknown) =>
        failed.push(`${live.role}: ${(error as Error).name}`),
      );
    }
    if (failed.length > 0) throw new Error(`live cards not replaced (${failed.join(', ')})`);
  }

  async whyPassCannotReach(record: EscalationRecord): Promise<string | undefined> {
    const live = await this.deps.liveCards?.cardOf(record, record.requester.id);
    if (live) {
      try {
        await this.replace(record, live, {});
      } catch (error) {
        // A chat that does not take a message now would not take the pass either: none is created.
        return error instanceof ProactiveSendFailed ? error.message : 'the card could not be replaced';
      }
    }
    return (await this.deps.personalChats.has(record.tenantId, record.requester.id)) ? undefined : '';
  }

  async askedApprovers(record: EscalationRecord): Promise<string[]> {
    const cards = (await this.deps.liveCards?.cardsFor(record)) ?? [];
    return cards.filter((card) => card.role === 'approver').map((card) => card.personId);
  }

  /** A new message notifies; the card itself, above in their chat, is where they decide. */
  async remindApprovers(record: EscalationRecord, waitedMinutes: number): Promise<void> {
    for (const live of (await this.deps.liveCards?.cardsFor(record)) ?? []) {
      const person = { id: live.personId };
      if (live.role !== 'approver' || record.approvals.some((a) => samePerson(a.approver, person))) continue;
      const card = forReader(await this.deps.personalChats.reader(record.tenantId, live.personId), () =>
        this.deps.cards.render('notice', {
          title: t('Reminder: a pass request is waiting for you'),
          message: t(
            '${requester} asked ${minutes} minutes ago for a Temporary Access Pass for ${target}. Approve or deny it on its card above in this chat.',
            { requester: plain(record.requester.name), minutes: waitedMinutes, target: plain(record.target.name) },
          ),
        }),
      );
      await this.deps.personalChats.send(record.tenantId, live.personId, card);
    }
  }

  private async replace(record: EscalationRecord, live: LiveCard, facts: LiveViewFacts): Promise<void> {
    const card = await this.cardFor(record, live.personId, live.role, facts);
    const replaced = await this.deps.personalChats.update(record.tenantId, live.personId, live.activityId, card);
    if (!replaced) throw new Error('The person has no 1:1 chat with the bot');
  }

  /**
   * One person's card. An approver is offered Approve and Deny while the request waits and they have
   * not approved it yet (the click is still decided by the policy on facts read then); Approve waits
   * for a required caller verification.
   */
  private async cardFor(
    record: EscalationRecord,
    personId: string,
    role: LiveCard['role'],
    facts: LiveViewFacts,
  ): Promise<AdaptiveCard> {
    const person = { id: personId };
    const canDecide =
      role === 'approver' &&
      record.state === 'requested' &&
      !samePerson(record.requester, person) &&
      !record.approvals.some((a) => samePerson(a.approver, person));
    const verification = facts.verification;
    // Never before a required verification passed, `required-for-privileged` included.
    const canApprove = canDecide && !(verification?.required && !verification.passed);
    const view: RequestView = {
      record,
      canDecide,
      canApprove,
      ...(canDecide && facts.passSettings ? { passSettings: facts.passSettings } : {}),
      ...(verification ? { verification } : {}),
    };
    const viewerChatId = await this.deps.personalChats.chatUserId(record.tenantId, personId);
    return forReader(await this.deps.personalChats.reader(record.tenantId, personId), () =>
      escalationCard(this.deps, view, { viewerId: personId, viewerChatId, ...(facts.at ? { at: facts.at } : {}) }),
    );
  }

  private async sendOrThrow(tenantId: string, userId: string, card: AdaptiveCard): Promise<string> {
    const sent = await this.deps.personalChats.send(tenantId, userId, card);
    if (sent === undefined) throw new Error('The person has no 1:1 chat with the bot');
    return sent;
  }
}
