import type { Application } from '@microsoft/teams-ai';
import type { AskHelpdesk, HelpdeskMessenger } from '../app/ask-helpdesk.js';
import type { HelpdeskContact } from '../config.js';
import { isRefusal } from '../escalation/refusal.js';
import { type CardTemplates, plain } from './cards.js';
import type { PersonalChats } from './conversations.js';
import { forReader, readerTime, t } from './locale.js';
import { Refused, type Turns } from './turn.js';

/** The colleague's "Ask the helpdesk for them" reaches each agent as a notice in their own language. */
export class TeamsHelpdeskMessenger implements HelpdeskMessenger {
  constructor(private readonly deps: { personalChats: PersonalChats; cards: CardTemplates }) {}

  async tellAgent(tenantId: string, agentId: string, ask: { asker: string; about: string }) {
    const reader = await this.deps.personalChats.reader(tenantId, agentId);
    const card = forReader(reader, () =>
      this.deps.cards.render('notice', {
        title: t('A colleague asks the helpdesk for help'),
        message: t('${asker} asks the helpdesk to help ${about} get back into their account.', {
          asker: plain(ask.asker, 200),
          about: plain(ask.about, 200),
        }),
      }),
    );
    return (await this.deps.personalChats.send(tenantId, agentId, card)) === undefined ? 'no-chat' : 'delivered';
  }
}

/** The helpdesk contact as one line for a card: "Helpdesk: +1 425 555 0100". */
export function contactLine(contact: HelpdeskContact | undefined): string {
  return contact ? t('Helpdesk: ${contact}', { contact: plain(contact.text, 200) }) : '';
}

export function registerHelpdeskRoutes(
  app: Application,
  turns: Turns,
  deps: { askHelpdesk: AskHelpdesk; contact?: HelpdeskContact },
): void {
  turns.onVerb(app, 'helpdesk.ask', async (_context, asker, { userId }) => {
    const outcome = await deps.askHelpdesk.ask(asker, userId);
    const reach = deps.contact
      ? t('To reach them yourself: ${contact}.', { contact: plain(deps.contact.text, 200) })
      : '';
    if (isRefusal(outcome)) {
      const why =
        outcome.code === 'no-such-user'
          ? t('That account no longer exists.')
          : outcome.code === 'no-helpdesk'
            ? t('Nobody is in the helpdesk group I could tell.')
            : t('None of the helpdesk agents has a chat with me yet, so I could not tell them.');
      throw new Refused(outcome, {
        title: t('I could not reach the helpdesk'),
        message: `${why} ${reach || t('Ask a helpdesk agent directly, by phone or in person.')}`,
      });
    }
    const about = plain(outcome.about, 200);
    const said =
      'told' in outcome
        ? t('I told the helpdesk that you asked them to help ${about}.', { about })
        : t('You already asked the helpdesk to help ${about} at ${at}; they have it.', {
            about,
            at: readerTime(outcome.alreadyAskedAt),
          });
    return [said, reach].filter(Boolean).join(' ');
  });
}
