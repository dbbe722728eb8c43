import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERBS as CARD_VERBS } from '../../src/teams/verbs.js';
import { type Harness, people, startHarness } from '../harness.js';

/**
 * Random and malformed activities and invoke payloads thrown at /api/messages: the bot must never
 * answer 5xx, never show a stack trace, and never mint a Temporary Access Pass.
 */
// Every verb the bot answers, from the one table route registration reads.
const VERBS = Object.keys(CARD_VERBS);
/** Each verb's own field names, and names every object inherits. */
const FIELD_NAMES = [
  ...new Set([
    ...Object.values(CARD_VERBS).flatMap((spec) => Object.keys(spec)),
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
  ]),
];
const STACK_TRACE = /\bat [\w.<>]+ \(|\.(ts|js):\d+:\d+|node:internal/;

const json = fc.jsonValue({ maxDepth: 3 });
const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.constant('check x'),
  fc.constant('AADSTS55200'),
  fc.constant('escalate adele.vance@contoso.com'),
);
const person = fc.constantFrom(people.agent, people.colleague, people.manager, people.approver, {
  aadObjectId: 'not-a-guid',
  name: '',
});

describe('fuzzing the messaging endpoint', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  const expectSafe = (status: number, body: unknown) => {
    expect(status).toBeLessThan(500);
    expect(JSON.stringify(body ?? '')).not.toMatch(STACK_TRACE);
  };

  it('random invoke payloads from real users', async () => {
    await fc.assert(
      fc.asyncProperty(
        person,
        fc.constantFrom(...VERBS),
        fc.oneof(
          json,
          fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.oneof(fc.string({ maxLength: 60 }), fc.uuid(), json)),
        ),
        async (who, verb, data) => {
          const turn = await harness.invoke(who, verb, data as Record<string, unknown>);
          expectSafe(turn.status, turn.body);
          for (const reply of turn.replies) expect(JSON.stringify(reply.activity)).not.toMatch(STACK_TRACE);
        },
      ),
      { numRuns: 120 },
    );
    expect(harness.graph.issuedTaps()).toEqual([]);
  });

  it('random messages', async () => {
    await fc.assert(
      fc.asyncProperty(person, text, async (who, said) => {
        const turn = await harness.say(who, said);
        expectSafe(turn.status, turn.body);
        for (const reply of turn.replies) expect(JSON.stringify(reply.activity)).not.toMatch(STACK_TRACE);
      }),
      { numRuns: 80 },
    );
    expect(harness.graph.issuedTaps()).toEqual([]);
  });

  it('random activity shapes', async () => {
    const activity = fc.record(
      {
        type: fc.oneof(
          fc.constantFrom(
            'message',
            'invoke',
            'conversationUpdate',
            'messageReaction',
            'event',
            'typing',
            'installationUpdate',
          ),
          fc.string(),
          json,
        ),
        name: fc.oneof(fc.constantFrom('adaptiveCard/action', 'fileConsent/invoke', 'task/fetch'), fc.string()),
        text: fc.oneof(fc.string(), json),
        value: json,
        entities: fc.oneof(
          json,
          fc.array(
            fc.record({ type: fc.constant('mention'), mentioned: fc.record({ id: fc.string(), name: fc.string() }) }),
          ),
        ),
        membersAdded: fc.oneof(json, fc.array(fc.record({ id: fc.string() }))),
        channelData: json,
      },
      { requiredKeys: ['type'] },
    );
    await fc.assert(
      fc.asyncProperty(person, activity, async (who, fields) => {
        const body = { ...harness.activity(who, {}), ...fields };
        const response = await harness.post(body);
        expectSafe(response.status, response.body);
      }),
      { numRuns: 150 },
    );
    const health = await fetch(`${harness.bot.url}/healthz`);
    expect(health.status).toBe(200);
    expect(harness.graph.issuedTaps()).toEqual([]);
  });
});
