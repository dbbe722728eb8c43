import type { EscalationRecord } from '../escalation/state-machine.js';

/** What the caller's page shows, decided by the use case (src/app/verify-caller.ts) so the page only renders. */
export type CallerPage =
  | { kind: 'gone' }
  | { kind: 'enter-code'; targetFirstName: string; types: string[]; problem?: string }
  | { kind: 'opened-elsewhere' }
  | { kind: 'present'; link: string; qrCode?: string; retrieved: boolean; expiresAt: string }
  | { kind: 'failed'; failure: string }
  | {
      kind: 'verified';
      next: 'wait-for-approval' | 'collect-pass' | 'being-shown' | 'agent-delivers' | 'delivered' | 'closed';
      closedBecause?: string;
    };

/** Why the caller's request ended, in words for the caller. */
export function closedWords(record: EscalationRecord): string {
  switch (record.state) {
    case 'denied':
      return 'The request for a pass was denied. Talk to your helpdesk.';
    case 'expired':
      return 'The request for a pass expired. Ask your helpdesk to start again.';
    case 'cancelled':
      return 'The helpdesk cancelled the request.';
    default:
      return 'The pass could not be created. Ask your helpdesk to start again.';
  }
}
