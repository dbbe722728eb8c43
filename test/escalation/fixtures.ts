import { isRefusal } from '../../src/escalation/refusal.js';
import {
  createRequest,
  type EscalationPolicy,
  type EscalationRecord,
  type NewRequest,
  type Person,
  type Transition,
} from '../../src/escalation/state-machine.js';

export const megan: Person = { id: 'aaaaaaaa-0000-0000-0000-000000000001', name: 'Megan Bowen' }; // helpdesk agent
export const lee = {
  id: 'aaaaaaaa-0000-0000-0000-000000000002',
  name: 'Lee Gu',
  userPrincipalName: 'LeeG@contoso.example',
}; // locked out
export const patti: Person = { id: 'aaaaaaaa-0000-0000-0000-000000000003', name: 'Patti Fernandez' }; // Lee's manager
export const alex: Person = { id: 'aaaaaaaa-0000-0000-0000-000000000004', name: 'Alex Wilber' }; // approver group
export const diego: Person = { id: 'aaaaaaaa-0000-0000-0000-000000000005', name: 'Diego Siciliani' }; // no role here

export const eligible = (person: Person) => ({ ...person, eligible: true });
export const ineligible = (person: Person) => ({ ...person, eligible: false });

export const at = (time: string): Date => new Date(`2025-06-02T${time}:00Z`);

export const policy: EscalationPolicy = { allowPrivilegedWithTwoApprovers: true };

export function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    id: 'req-1',
    tenantId: 'tenant-1',
    requester: megan,
    target: lee,
    reason: 'Lost phone, cannot sign in',
    verification: { method: 'video-call-with-id' },
    privileged: false,
    ...overrides,
  };
}

/** Unwraps a transition that the test expects to succeed. */
export function ok(transition: Transition): EscalationRecord {
  if (isRefusal(transition)) throw new Error(`Unexpected refusal ${transition.code}: ${transition.message}`);
  return transition;
}

export const requested = (overrides: Partial<NewRequest> = {}, now = at('10:00')): EscalationRecord =>
  ok(createRequest(newRequest(overrides), now, policy));
