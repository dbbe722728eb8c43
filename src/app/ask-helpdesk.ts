import { type Refusal, refusal } from '../escalation/refusal.js';
import { say } from '../escalation/sentence.js';
import type { Actor } from './actor.js';
import type { HelpdeskAsks, HelpdeskDirectory } from './ports.js';

/**
 * "Ask the helpdesk for them": a colleague who was told someone needs the helpdesk tells the
 * helpdesk agents, in their 1:1 chats, who asks and for whom; nothing more (no verdict, no
 * directory details). One ask per colleague and person an hour, so a button pressed twice, or by
 * two instances, reaches the agents once.
 */
const ASK_WINDOW_MS = 60 * 60_000;

export interface HelpdeskMessenger {
  /** Tells one agent; 'no-chat' when they never opened the bot, so it cannot write to them first. */
  tellAgent(tenantId: string, agentId: string, ask: { asker: string; about: string }): Promise<'delivered' | 'no-chat'>;
}

export type AskOutcome = { told: number; about: string } | { alreadyAskedAt: string; about: string };

export class AskHelpdesk {
  constructor(
    private readonly asks: HelpdeskAsks,
    private readonly directory: HelpdeskDirectory,
    private readonly messenger: HelpdeskMessenger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ask(actor: Actor, targetId: string): Promise<AskOutcome | Refusal> {
    const [target] = await this.directory.findUsers({ kind: 'id', id: targetId });
    if (!target)
      return refusal(
        'no-such-user',
        say('That account does not exist in this tenant (any more).'),
        say('No such user'),
      );
    const about = target.displayName ?? target.userPrincipalName ?? 'this person';
    const at = this.now();
    const earlier = await this.asks.last(actor.tenantId, actor.id, target.id);
    if (earlier && at.getTime() - Date.parse(earlier.value.at) < ASK_WINDOW_MS)
      return { alreadyAskedAt: earlier.value.at, about };
    const agents = (await this.directory.helpdeskGroupMembers()).filter((agent) => agent.id !== actor.id);
    if (agents.length === 0)
      return refusal(
        'no-helpdesk',
        say('Nobody is in the helpdesk group I could tell.'),
        say('I could not reach the helpdesk'),
      );
    // Someone pressed it at the same moment: their ask is this one.
    if (!(await this.asks.record(actor.tenantId, actor.id, target.id, at.toISOString(), earlier?.etag)))
      return { alreadyAskedAt: at.toISOString(), about };
    let told = 0;
    for (const agent of agents) {
      const sent = await this.messenger
        .tellAgent(actor.tenantId, agent.id, { asker: actor.name, about })
        .catch(() => 'no-chat' as const);
      if (sent === 'delivered') told += 1;
    }
    if (told === 0) {
      await this.asks.forget(actor.tenantId, actor.id, target.id).catch(() => undefined);
      return refusal(
        'helpdesk-unreachable',
        say('None of the helpdesk agents has a chat with me yet, so I could not tell them.'),
        say('I could not reach the helpdesk'),
      );
    }
    return { told, about };
  }
}
