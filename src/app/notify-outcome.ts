import type { DirectoryUser } from '../eligibility/user-query.js';
import { asIs, type Sentence, say, spoken } from '../escalation/sentence.js';
import type { EscalationRecord, Person } from '../escalation/state-machine.js';
import { samePerson } from '../escalation/state-machine.js';
import { approvedBy, whoAndWhen } from '../escalation/status.js';
import type { Logger } from '../log.js';
import type { PeopleFinder } from './ports.js';

/**
 * Everyone learns how a pass request ended, and nobody learns the pass: the other approvers' cards
 * show who decided, the person whose account got a pass is told (an account takeover becomes
 * visible to its victim), the requester learns whether that message reached them, and the manager
 * hears when the pass was handed over. Every message here is built from the record, which never
 * holds the pass. Sends are best effort: a failure is logged and recorded, never thrown at the
 * decision that caused it.
 */

/**
 * A short message for one person's 1:1 chat, as Sentences: the Teams layer says it in the
 * recipient's language and clock, mail in English with UTC.
 */
export interface Notice {
  title: Sentence;
  paragraphs: Sentence[];
  facts: { title: Sentence; value: Sentence }[];
}

/** How the notices reach people; the Teams layer implements it with proactive messages. */
export interface OutcomeMessenger {
  /** 'no-chat' when the person never opened the app (nothing can reach them in Teams); throws when a send failed. */
  notify(tenantId: string, userId: string, notice: Notice): Promise<'delivered' | 'no-chat'>;
}

/** Mail to a person's mailbox (Graph sendMail from the bot's one permitted mailbox, src/directory/mail.ts); absent when not configured. */
export interface NoticeMailer {
  /** `problem` says in words why the mail was not accepted (never a body). */
  send(
    to: { address: string; name: string },
    subject: string,
    text: string,
  ): Promise<{ sent: true } | { problem: string }>;
}

/** The people a notice goes to (src/directory/directory.ts). */
export interface OutcomeDirectory extends PeopleFinder {
  manager(userId: string): Promise<DirectoryUser | undefined>;
}

/** Which notices a request has had, so each goes out once across instances (src/storage/outcome-notices.ts). */
export interface OutcomeNoticeLog {
  /** Keeps `value` as the request's `kind` notice; false when one was kept already. */
  recordOnce(tenantId: string, requestId: string, kind: 'handed-over' | 'target', value: object): Promise<boolean>;
}

export type TeamsDelivery = 'delivered' | 'undeliverable' | 'failed';
export type MailDelivery = 'sent' | 'failed' | 'not-configured' | 'no-mailbox';

export interface TargetNoticeRecord {
  requestId: string;
  targetId: string;
  teams: TeamsDelivery;
  mail: MailDelivery;
  /** Why mail failed, in words (a Graph error code, never a body). */
  mailProblem?: string;
  at: string;
}

export class OutcomeNotices {
  constructor(
    private readonly sent: OutcomeNoticeLog,
    private readonly directory: OutcomeDirectory,
    private readonly messenger: OutcomeMessenger,
    private readonly mailer: NoticeMailer | undefined,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Whether the request's pass went to the verified caller's own page instead of the agent's chat. */
    private readonly passWentToCaller: (record: EscalationRecord) => Promise<boolean> = async () => false,
  ) {}

  /** The request has just closed (issued, denied, expired, cancelled or failed). Never throws. */
  async closed(record: EscalationRecord): Promise<void> {
    if (record.state === 'issued') await this.safely(record, 'target not told', () => this.tellTarget(record));
  }

  /** The requester handed the pass over: the target's manager is told, once. Never throws. */
  async handedOver(record: EscalationRecord, by: Person): Promise<void> {
    await this.safely(record, 'manager not told', async () => {
      const manager = await this.directory.manager(record.target.id);
      if (!manager || samePerson(manager, by)) return;
      const first = await this.sent.recordOnce(record.tenantId, record.id, 'handed-over', {
        requestId: record.id,
        at: this.now().toISOString(),
      });
      if (!first) return; // already told
      await this.messenger.notify(record.tenantId, manager.id, {
        title: say('The pass for ${name} was handed over', { name: record.target.name }),
        paragraphs: [
          say(
            '${by} handed the Temporary Access Pass for ${name} over at ${at}. If ${name} did not expect it, call them on a number you already know.',
            { by: by.name, name: record.target.name, at: { at: this.now().toISOString() } },
          ),
        ],
        facts: this.facts(record),
      });
    });
  }

  /**
   * The person whose account now has a pass hears it in Teams (if they ever opened the app) and by
   * mail (if configured); the requester learns which of the two reached them.
   */
  private async tellTarget(record: EscalationRecord): Promise<void> {
    const notice: Notice = {
      title: say('A helpdesk pass was issued for your account'),
      paragraphs: [
        say(
          '${requester} of the helpdesk issued a Temporary Access Pass for your account (${account}) at ${at}, approved by ${approvers}. It lets someone sign in as you once and set up new sign-in methods. If you did not ask the helpdesk for this, tell the helpdesk or your manager now, on a number you already know: someone may be taking over your account.',
          {
            requester: record.requester.name,
            account: record.target.userPrincipalName,
            at: { at: record.issuedAt ?? record.updatedAt },
            approvers: record.approvals.map((a) => asIs(a.approver.name)),
          },
        ),
      ],
      facts: this.facts(record),
    };
    let teams: TeamsDelivery;
    try {
      teams =
        (await this.messenger.notify(record.tenantId, record.target.id, notice)) === 'delivered'
          ? 'delivered'
          : 'undeliverable';
    } catch (error) {
      this.log.warn({ requestId: record.id, err: (error as Error).name }, 'the target could not be told in Teams');
      teams = 'failed';
    }
    const mail = await this.mailTarget(record, notice);
    const outcome: TargetNoticeRecord = {
      requestId: record.id,
      targetId: record.target.id,
      teams,
      ...mail,
      at: this.now().toISOString(),
    };
    await this.sent.recordOnce(record.tenantId, record.id, 'target', outcome);
    if (teams !== 'delivered')
      this.log.info({ requestId: record.id, teams, mail: mail.mail }, 'target notice undeliverable in Teams');
    await this.messenger.notify(record.tenantId, record.requester.id, {
      title: say('Approved: the pass for ${name} was issued', { name: record.target.name }),
      paragraphs: [
        approvalLine(record, await this.passWentToCaller(record).catch(() => false)),
        targetLine(record.target.name, teams),
        ...mailLine(record.target.name, mail),
      ],
      facts: [],
    });
  }

  private async mailTarget(
    record: EscalationRecord,
    notice: Notice,
  ): Promise<{ mail: MailDelivery; mailProblem?: string }> {
    if (!this.mailer) return { mail: 'not-configured' };
    let user: DirectoryUser | undefined;
    try {
      [user] = await this.directory.findUsers({ kind: 'id', id: record.target.id });
    } catch {
      return this.mailFailed(record, 'their mailbox could not be looked up in the directory');
    }
    if (!user?.mail) return { mail: 'no-mailbox' };
    // Mail is in English, its moments in UTC: the recipient's language is known only to their Teams client.
    const text = [
      ...notice.paragraphs.map((paragraph) => spoken(paragraph)),
      notice.facts.map((f) => `${spoken(f.title)}: ${spoken(f.value)}`).join('\n'),
    ].join('\n\n');
    const sent = await this.mailer
      .send({ address: user.mail, name: record.target.name }, spoken(notice.title), text)
      .catch(() => ({ problem: 'an unexpected error' }));
    return 'problem' in sent ? this.mailFailed(record, sent.problem) : { mail: 'sent' };
  }

  private mailFailed(record: EscalationRecord, problem: string): { mail: MailDelivery; mailProblem: string } {
    this.log.warn({ requestId: record.id, problem }, 'the target could not be mailed');
    return { mail: 'failed', mailProblem: problem };
  }

  private facts(record: EscalationRecord): Notice['facts'] {
    return [
      { title: say('Account'), value: asIs(record.target.userPrincipalName) },
      { title: say('Requested by'), value: whoAndWhen(record.requester.name, record.createdAt) },
      {
        title: say('Approved by'),
        value: record.approvals.length > 0 ? asIs(approvedBy(record.approvals)) : say('nobody'),
      },
      ...(record.issuedAt ? [{ title: say('Issued'), value: asIs({ at: record.issuedAt }) }] : []),
    ];
  }

  private async safely(record: EscalationRecord, what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.log.warn({ requestId: record.id, err: (error as Error).name }, what);
    }
  }
}

function approvalLine(record: EscalationRecord, toCaller: boolean): Sentence {
  return toCaller
    ? say(
        "Approved by ${approvals}. The pass was delivered to the verified caller's page, shown once there; it is in no chat.",
        { approvals: approvedBy(record.approvals) },
      )
    : say('Approved by ${approvals}. The pass is in the card above, only in this chat.', {
        approvals: approvedBy(record.approvals),
      });
}

function targetLine(name: string, teams: TeamsDelivery): Sentence {
  switch (teams) {
    case 'delivered':
      return say('${name} was told in Teams that a pass was issued for their account (without the pass).', { name });
    case 'undeliverable':
      return say(
        '${name} has never opened the SSAR Helpdesk app, so they could not be told in Teams; this is recorded. Tell them yourself when you hand the pass over.',
        { name },
      );
    case 'failed':
      return say('Telling ${name} in Teams failed; tell them yourself when you hand the pass over.', { name });
  }
}

/** What became of the mail, when mail is set up: a Graph error code stays as Graph wrote it. */
function mailLine(name: string, mail: { mail: MailDelivery; mailProblem?: string }): Sentence[] {
  switch (mail.mail) {
    case 'sent':
      return [say('${name} was also sent an email about it.', { name })];
    case 'failed':
      return [say('Emailing ${name} failed (${problem}).', { name, problem: mail.mailProblem ?? '' })];
    case 'no-mailbox':
      return [say('${name} has no mailbox, so no email was sent.', { name })];
    case 'not-configured':
      return [];
  }
}
