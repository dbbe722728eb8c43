import type { Notice, OutcomeMessenger } from '../app/notify-outcome.js';
import { type CardTemplates, plain } from './cards.js';
import type { PersonalChats } from './conversations.js';
import { forReader, inReaderTime } from './locale.js';

/**
 * Outcome notices as proactive Teams messages, only ever to one person's 1:1 chat (the request's
 * cards: src/teams/live-cards.ts). The notice's moments, written in UTC for mail too, are put on
 * the clock that chat last named.
 */
export class TeamsOutcomeMessenger implements OutcomeMessenger {
  constructor(private readonly deps: { personalChats: PersonalChats; cards: CardTemplates }) {}

  async notify(tenantId: string, userId: string, notice: Notice): Promise<'delivered' | 'no-chat'> {
    // The person a notice is for may never have opened the app: it is installed for them when the deployment allows it.
    if ((await this.deps.personalChats.reach(tenantId, userId)) !== undefined) return 'no-chat';
    const reader = await this.deps.personalChats.reader(tenantId, userId);
    const card = forReader(reader, () =>
      this.deps.cards.render('outcome-notice', {
        title: plain(notice.title),
        message: plain(inReaderTime(notice.message), 2000),
        facts: notice.facts.map((f) => ({ title: plain(f.title), value: plain(inReaderTime(f.value)) })),
      }),
    );
    const sent = await this.deps.personalChats.send(tenantId, userId, card);
    return sent === undefined ? 'no-chat' : 'delivered';
  }
}
