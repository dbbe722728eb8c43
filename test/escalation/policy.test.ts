import { describe, expect, it } from 'vitest';
import { type Action, type ActorFacts, decide } from '../../src/escalation/policy.js';
import { isRefusal } from '../../src/escalation/refusal.js';
import type { EscalationRecord } from '../../src/escalation/state-machine.js';

const TENANT = 'aaaaaaaa-0000-4000-8000-000000000000';
const id = (n: number) => `11111111-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;

const record: EscalationRecord = {
  id: 'r1',
  tenantId: TENANT,
  state: 'requested',
  requester: { id: id(17), name: 'Helen Desk' },
  target: { id: id(1), name: 'Adele Vance', userPrincipalName: 'adele.vance@contoso.com' },
  reason: 'Lost her phone',
  verification: { method: 'in-person' },
  privileged: false,
  approvalsRequired: 1,
  approvals: [],
  createdAt: '2026-12-01T10:00:00.000Z',
  expiresAt: '2026-12-01T11:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

const actor = (n: number, facts: Partial<ActorFacts> = {}): ActorFacts => ({
  id: id(n),
  tenantId: TENANT,
  isHelpdeskAgent: false,
  isApproverForTarget: false,
  ...facts,
});
const ACTORS: Record<string, ActorFacts> = {
  agent: actor(18, { isHelpdeskAgent: true }),
  colleague: actor(19),
  manager: actor(15, { isApproverForTarget: true }),
  'approver-group member': actor(20, { isApproverForTarget: true }),
  requester: actor(17, { isHelpdeskAgent: true }),
  target: actor(1),
  'another tenant': {
    ...actor(18, { isHelpdeskAgent: true, isApproverForTarget: true }),
    tenantId: 'bbbbbbbb-0000-4000-8000-000000000000',
  },
};

const ACTIONS: Action[] = ['file', 'view', 'approve', 'deny', 'cancel', 'hand-over'];
/** 'ok' or the refusal code, per actor and action. */
const EXPECTED: Record<string, string[]> = {
  //                        file            view         approve                     deny                        cancel          hand-over
  agent: ['ok', 'ok', 'not-an-approver', 'not-an-approver', 'not-requester', 'not-found'],
  colleague: ['not-helpdesk', 'not-found', 'not-found', 'not-found', 'not-found', 'not-found'],
  manager: ['not-helpdesk', 'ok', 'ok', 'ok', 'not-requester', 'not-found'],
  'approver-group member': ['not-helpdesk', 'ok', 'ok', 'ok', 'not-requester', 'not-found'],
  requester: ['ok', 'ok', 'requester-cannot-approve', 'requester-cannot-approve', 'ok', 'ok'],
  target: ['not-helpdesk', 'not-found', 'self-approval', 'self-approval', 'not-found', 'not-found'],
  'another tenant': ['not-found', 'not-found', 'not-found', 'not-found', 'not-found', 'not-found'],
};

describe('the authorization policy', () => {
  const rows = Object.entries(EXPECTED).flatMap(([who, codes]) =>
    ACTIONS.map((action, i) => [who, action, codes[i]!] as const),
  );
  it.each(rows)('%s × %s -> %s', (who, action, expected) => {
    const decision = decide(
      action,
      ACTORS[who]!,
      action === 'file' ? { tenantId: TENANT, target: record.target } : record,
    );
    expect(isRefusal(decision) ? decision.code : 'ok').toBe(expected);
  });

  it('a helpdesk agent may not file for their own account', () => {
    const decision = decide('file', actor(17, { isHelpdeskAgent: true }), { tenantId: TENANT, target: { id: id(17) } });
    expect(isRefusal(decision) && decision.code).toBe('requester-is-target');
  });

  it('every "not-found" is the same answer, naming nobody', () => {
    const answers = new Set(
      Object.values(ACTORS).flatMap((facts) =>
        ACTIONS.filter((a) => a !== 'file')
          .map((action) => decide(action, facts, record))
          .filter((d) => isRefusal(d) && d.code === 'not-found')
          .map((d) => JSON.stringify(d)),
      ),
    );
    expect(answers.size).toBe(1);
    const [only] = [...answers];
    for (const secret of ['Adele', 'adele.vance', 'Lost her phone', 'Helen']) expect(only).not.toContain(secret);
  });
});
