import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const colleague = people.colleague;

describe('talking to the bot over HTTP like Teams does', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('answers "hi" with a welcome card that says what it can do', async () => {
    const turn = await harness.say(colleague, 'hi');
    expect(turn.status).toBe(200);
    const card = cardOf(turn.replies[0]);
    expect(card?.type).toBe('AdaptiveCard');
    const text = cardText(card);
    for (const ability of ['Check', 'Guide', 'Diagnose']) expect(text).toContain(ability);
    // Helpdesk-only actions are for agents (test/eligibility-bot/no-dead-ends.test.ts).
    expect(text).not.toContain('Escalate');
  });

  it('welcomes people when the bot is installed', async () => {
    const turn = await harness.post(
      harness.activity(colleague, {
        type: 'conversationUpdate',
        membersAdded: [{ id: '28:ssar-helpdesk-bot' }],
      }),
    );
    expect(turn.status).toBe(200);
    const welcome = harness.connector.activities.at(-1);
    expect(cardText(cardOf(welcome))).toContain('Self-Service Account Recovery');
  });

  it('answers text it does not understand with a helpful card, not silence', async () => {
    const turn = await harness.say(colleague, 'what is the weather like');
    const text = cardText(cardOf(turn.replies[0]));
    expect(text).toContain("I didn't understand");
    expect(text).toContain('guide');
  });

  it('answers a button it does not know with a card, not an error status', async () => {
    const turn = await harness.invoke(colleague, 'made.up.verb', {});
    expect(turn.status).toBe(200);
    expect(cardText(turn.body.value)).toContain('That button is not something I can do');
  });

  it('answers an invoke it does not support with 400, not 5xx', async () => {
    const response = await harness.post(harness.activity(colleague, { type: 'invoke', name: 'task/fetch', value: {} }));
    expect(response.status).toBe(400);
  });

  it('answers a Bot Framework healthCheck invoke with 200 and success, no token echoed', async () => {
    const response = await harness.post(
      harness.activity(colleague, { type: 'invoke', name: 'healthCheck', value: {} }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ healthResults: { success: true, messages: ['Health check succeeded.'] } });
  });

  it('does not let card markdown in what someone typed become a link', async () => {
    const turn = await harness.say(colleague, 'see [this](https://evil.example)');
    expect(cardText(cardOf(turn.replies[0]))).not.toContain('[this](https://evil.example)');
  });
});

describe('malformed requests get a clear 4xx and the bot keeps running', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each([
    ['not JSON', '{"type": "message", '],
    ['an array', [1, 2, 3]],
    ['no type', { serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'c' }, from: { id: 'u' } }],
    ['a numeric type', { type: 42, serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'c' }, from: { id: 'u' } }],
    ['no conversation', { type: 'message', serviceUrl: 'http://127.0.0.1:1/', from: { id: 'u' } }],
    [
      'a non-loopback serviceUrl in local mode',
      { type: 'message', serviceUrl: 'https://smba.example.com/', conversation: { id: 'c' }, from: { id: 'u' } },
    ],
  ])('refuses %s', async (_name, body) => {
    const response = await harness.post(body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(JSON.stringify(response.body ?? '')).not.toMatch(/at .*\.(ts|js):\d+/);
    const health = await fetch(`${harness.bot.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('refuses a body larger than the limit', async () => {
    const response = await harness.post({ type: 'message', text: 'x'.repeat(300 * 1024) });
    expect(response.status).toBe(413);
  });
});

describe('with BOT_ID set, only Bot Framework-signed requests are served', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      env: {
        BOT_ID: '22222222-2222-4222-8222-222222222222',
        BOT_PASSWORD: 'not-a-real-secret',
        BOT_TENANT_ID: '8f3b6c2e-4d1a-4e7b-9c5f-0a2d4e6f8b10',
        HOST: '127.0.0.1',
      },
    });
  });
  afterAll(() => harness.close());

  it('rejects an unsigned activity with 401 and sends nothing', async () => {
    const before = harness.connector.activities.length;
    const response = await harness.post(harness.activity(colleague, { type: 'message', text: 'hi' }));
    expect(response.status).toBe(401);
    expect(harness.connector.activities.length).toBe(before);
  });

  it('rejects a forged bearer token', async () => {
    const forged = [
      'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9',
      'eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0',
      'c2ln',
    ].join('.');
    const response = await harness.post(harness.activity(colleague, { type: 'message', text: 'hi' }), {
      authorization: `Bearer ${forged}`,
    });
    expect(response.status).toBe(401);
  });
});

describe('the demo bot serves only the demo tenant', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('refuses activities from another tenant before looking at them', async () => {
    const activity = harness.activity(colleague, { type: 'message', text: 'hi' }) as any;
    activity.conversation.tenantId = 'bbbbbbbb-0000-4000-8000-000000000002';
    activity.channelData.tenant.id = 'bbbbbbbb-0000-4000-8000-000000000002';
    const response = await harness.post(activity);
    expect(response.status).toBe(403);
  });

  it('serves its own tenant', async () => {
    const turn = await harness.say(colleague, 'hi');
    expect(turn.status).toBe(200);
  });
});

describe('someone the directory does not know', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('is treated as a colleague, not shown an error', async () => {
    const stranger = { aadObjectId: '99999999-0000-4000-8000-000000000099', name: 'Stranger' };
    const card = cardOf((await harness.say(stranger, 'check jon.doe@contoso.com')).replies[0]);
    expect(cardText(card)).toContain('Jon Doe needs the helpdesk');
  });
});
