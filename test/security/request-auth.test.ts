import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenAddressedTo } from '../../src/server.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const APP_ID = '22222222-2222-4222-8222-222222222222';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) =>
  `Bearer ${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
const inAnHour = Math.floor(Date.now() / 1000) + 3600;

/**
 * The first gate for a signed bot: only a bearer JWT for this app id that has not expired goes on
 * to the SDK's signature check. Anything else is refused here, without a network round trip.
 */
describe('which bearer tokens reach the signature check', () => {
  it('a token for this bot that has not expired', () => {
    expect(tokenAddressedTo(jwt({ aud: APP_ID, exp: inAnHour }), APP_ID)).toBe(true);
    expect(tokenAddressedTo(jwt({ aud: ['api://other', APP_ID], exp: inAnHour }), APP_ID)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['basic authentication', `Basic ${Buffer.from('bot:secret').toString('base64')}`],
    ['a token that is not a JWT', 'Bearer opaque-token'],
    ['a token for another bot', jwt({ aud: '33333333-3333-4333-8333-333333333333', exp: inAnHour })],
    ['a token with no audience', jwt({ exp: inAnHour })],
    ['an expired token', jwt({ aud: APP_ID, exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a token that never expires', jwt({ aud: APP_ID })],
    ['an expiry that is text', jwt({ aud: APP_ID, exp: String(inAnHour) })],
    ['claims that are not JSON', `Bearer ${b64({ alg: 'none' })}.bm90IGpzb24.c2ln`],
    ['a second token after the first', `${jwt({ aud: APP_ID, exp: inAnHour })} ${jwt({ aud: APP_ID, exp: inAnHour })}`],
  ])('%s is refused', (_case, header) => {
    expect(tokenAddressedTo(header, APP_ID)).toBe(false);
  });

  it('nothing is accepted when the bot has no app id', () => {
    expect(tokenAddressedTo(jwt({ aud: APP_ID, exp: inAnHour }), undefined)).toBe(false);
  });
});

describe('a signed bot refuses tokens meant for someone else, before they cost anything', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      env: {
        BOT_ID: APP_ID,
        BOT_PASSWORD: 'not-a-real-secret',
        BOT_TENANT_ID: '8f3b6c2e-4d1a-4e7b-9c5f-0a2d4e6f8b10',
        HOST: '127.0.0.1',
      },
    });
  });
  afterAll(() => harness.close());

  it.each([
    [
      'another bot',
      jwt({ aud: '33333333-3333-4333-8333-333333333333', exp: inAnHour, iss: 'https://api.botframework.com' }),
    ],
    [
      'this bot, expired',
      jwt({ aud: APP_ID, exp: Math.floor(Date.now() / 1000) - 60, iss: 'https://api.botframework.com' }),
    ],
  ])('a token for %s gets 401 and no turn runs', async (_case, authorization) => {
    const before = harness.connector.activities.length;
    const response = await harness.post(harness.activity(people.colleague, { type: 'message', text: 'hi' }), {
      authorization,
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('Unauthorized');
    expect(harness.connector.activities.length).toBe(before);
  });
});

describe('tenants and identities', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('an activity that names no tenant is refused when the bot serves particular tenants', async () => {
    const activity = harness.activity(people.colleague, { type: 'message', text: 'hi' }) as any;
    delete activity.conversation.tenantId;
    delete activity.channelData;
    const response = await harness.post(activity);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('TenantNotAllowed');
  });

  it('a sender with no Entra object id (a guest of Teams, a forged sender) is told it only helps the organisation, and nothing is looked up', async () => {
    harness.graph.resetRequests();
    const turn = await harness.say({ aadObjectId: '', name: 'Somebody' }, 'check adele.vance@contoso.com');
    expect(cardText(cardOf(turn.replies[0]))).toContain('I can only help people in your organisation');
    expect(harness.graph.requests).toEqual([]);
  });
});
