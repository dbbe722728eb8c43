import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import type { Graph } from './graph.js';
import { graphTrouble } from './graph-trouble.js';

/** What a 403 from sendMail means: Exchange, not Entra, decides who may send as the mailbox. */
const MAIL_SEND_ROLE =
  'the "Application Mail.Send" role in Exchange Online, scoped to the sending mailbox (an Exchange administrator assigns it with RBAC for Applications)';

/**
 * Plain-text mail from one mailbox the bot may send as, through `POST /users/{sender}/sendMail`
 * (https://learn.microsoft.com/graph/api/user-sendmail; 202 Accepted, no body). Exchange Online
 * grants it: RBAC for Applications, the "Application Mail.Send" role scoped to the one sending
 * mailbox (docs/permissions.md), never Entra's Mail.Send, which covers every mailbox. A mailbox
 * the app may not send as answers 403 ErrorAccessDenied.
 */
export class GraphMailer {
  constructor(
    private readonly graph: Graph,
    /** Object id or user principal name of the sending mailbox (NOTIFY_MAIL_FROM). */
    private readonly sender: string,
  ) {}

  async send(
    to: { address: string; name: string },
    subject: string,
    text: string,
  ): Promise<{ sent: true } | { problem: string }> {
    const message: GraphTypes.Message = {
      subject,
      body: { contentType: 'text', content: text },
      toRecipients: [{ emailAddress: { address: to.address, name: to.name } }],
    };
    try {
      // Sending is a change: never repeated after a timeout, or the person gets two mails.
      await this.graph.postChange(`/users/${encodeURIComponent(this.sender)}/sendMail`, {
        message,
        saveToSentItems: false,
      });
      return { sent: true };
    } catch (error) {
      return { problem: graphTrouble(error, MAIL_SEND_ROLE).reason };
    }
  }
}
