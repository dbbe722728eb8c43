import type { Notice, OutcomeMessenger } from '../app/notify-outcome.js';
import { type CardTemplates, plain } from './cards.js';
import type { PersonalChats } from './conversations.js';
import { forReader, inReaderTime, inReaderWords } from './locale.js';

/** A notice already in its reader's words (written with t() by the Teams layer). */
export interface NoticeWords {
  title: string;
  message: string;
  facts: { title: string; value: string }[];
}

/**
 * Outcome notices as proactive Teams messages, only ever to one person's 1:1 chat (the request's
 * cards: src/teams/live-cards.ts), in the language and on the clock that chat last named (mail
 * says the same notice in English, UTC).
 */
export class TeamsOutcomeMessenger implements OutcomeMessenger {
  constructor(private readonly deps: { personalChats: PersonalChats; cards: CardTemplates }) {}

  notify(tenantId: string, userId: string, notice: Notice): Promise<'delivered' | 'no-chat'> {
    return this.notifyInWords(tenantId, userId, () => ({
      title: inReaderWords(notice.title),
      message: notice.paragraphs.map((paragraph) => inReaderWords(paragraph)).join('\n\n'),
      facts: notice.facts.map((f) => ({ title: inReaderWords(f.title), value: inReaderWords(f.value) })),
    }));
  }

  /** `words` is called for the recipient's saved reader; a UTC time the core wrote into them is put on their clock. */
  async notifyInWords(tenantId: string, userId: string, words: () => NoticeWords): Promise<'delivered' | 'no-chat'> {
    // The person a notice is for may never have opened the app: it is installed for them when the deployment allows it.
    if ((await this.deps.personalChats.reach(tenantId, userId)) !== undefined) return 'no-chat';
    const reader = await this.deps.personalChats.reader(tenantId, userId);
    const card = forReader(reader, () => {
      const notice = words();
      return this.deps.cards.render('outcome-notice', {
        title: plain(notice.title),
        message: plain(inReaderTime(notice.message), 2000),
        facts: notice.facts.map((f) => ({ title: plain(f.title), value: plain(inReaderTime(f.value)) })),
      });
    });
    const sent = await this.deps.personalChats.send(tenantId, userId, card);
    return sent === undefined ? 'no-chat' : 'delivered';
  }
}
