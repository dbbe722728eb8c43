import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRefusal } from '../../src/escalation/refusal.js';
import { approve, beginIssuing } from '../../src/escalation/state-machine.js';
import { FileStore } from '../../src/storage/file-store.js';
import { inReaderTime, readerClock, readerOf } from '../../src/teams/locale.js';
import {
  act,
  approvalCard,
  approveTwice,
  cast,
  fileOverTheLimit,
  fileRequest,
  newsFor,
  openApp,
  pressIn,
  startWithApprovers,
  startWithNoticeMail,
} from '../escalation-bot/helpers.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

/**
 * One clock per card: every time on a card is in the viewer's zone, taken from the activity's
 * clientInfo entity, else the activity's localTimezone, else UTC, which each time then names.
 * https://learn.microsoft.com/dotnet/api/microsoft.bot.schema.activity.localtimezone
 */

const BERLIN = 'Europe/Berlin';

describe("the reader's zone", () => {
  it("is the clientInfo entity's, else the activity's localTimezone, else UTC", () => {
    expect(readerOf({ locale: 'en-GB', localTimezone: BERLIN }).timeZone).toBe(BERLIN);
    expect(
      readerOf({ entities: [{ type: 'clientInfo', timezone: 'Asia/Tokyo' }], localTimezone: BERLIN }).timeZone,
    ).toBe('Asia/Tokyo');
    expect(readerOf({ entities: [{ type: 'clientInfo', locale: 'de-DE' }], localTimezone: BERLIN }).timeZone).toBe(
      BERLIN,
    );
    expect(readerOf({ localTimezone: 'Mars/Olympus' }).timeZone).toBe('UTC');
  });

  it('writes a time of day and the core’s UTC moments on that clock, zone named', () => {
    const berlin = { language: 'en' as const, locale: 'en-GB', timeZone: BERLIN };
    expect(readerClock('2026-12-07T10:20:00Z', berlin)).toBe('11:20 CET');
    expect(readerClock('2026-12-07T10:20:00Z', { ...berlin, timeZone: 'UTC' })).toBe('10:20 UTC');
    expect(inReaderTime('Last successful sign-in 2026-12-07 10:20 UTC.', berlin)).toBe(
      'Last successful sign-in 7 Dec 2026, 11:20 CET.',
    );
  });
});

describe('a card read in Berlin, with only the activity’s localTimezone to go by', () => {
  let harness: Harness;
  const inBerlin = { locale: 'en-GB', localTimezone: BERLIN };
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan);
  });
  afterAll(() => harness.close());

  it('a check shows when it was checked and the last sign-in on the one clock, never UTC', async () => {
    const text = cardText(
      cardOf((await harness.say(people.agent, 'check pradeep.gupta@contoso.com', undefined, inBerlin)).replies[0]),
    );
    expect(text).toMatch(/Last successful sign-in \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d CET/);
    expect(text).toMatch(/CET/);
    expect(text).not.toMatch(/UTC/);
  });

  it('the request list says when it was filed and when it expires on the one clock, never UTC', async () => {
    await fileRequest(harness, cast.helen, cast.adele);
    const text = cardText(cardOf((await harness.say(people.agent, 'requests', undefined, inBerlin)).replies[0]));
    expect(text).toMatch(/Requested by Helen Desk at \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d CET\./);
    expect(text).toMatch(/expires at \d\d:\d\d CET/);
    expect(text).not.toMatch(/UTC/);
  });
});

describe('a card written to someone first (the approval card) is on the clock their client last named', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen);
    // Megan's client names Berlin on her last message; later turns that name no zone keep it.
    await harness.say(cast.megan, 'hi', undefined, { locale: 'en-GB', localTimezone: BERLIN });
    await harness.say(cast.megan, 'help', undefined, { locale: 'en-GB' });
  });
  afterAll(() => harness.close());

  it("shows when it was requested, when it expires and the status on Megan's clock, never UTC", async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const text = cardText(approvalCard(harness, cast.megan, requestId!));
    expect(text).toMatch(/Helen Desk at \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d CET/);
    expect(text).toMatch(/expires at \d\d:\d\d CET/);
    expect(text).not.toMatch(/UTC/);
  });

  it('a button pressed on it, whose invoke names no zone, answers on the same clock', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    // As a client sends a card's button: the locale, but no clientInfo entity and no localTimezone.
    const card = await act(harness, cast.megan, 'escalation.view', { requestId });
    // In the invoke's own locale (en-US), which names Berlin's zone "GMT+1".
    expect(card.text).toMatch(/expires at \d\d:\d\d GMT\+1/);
    expect(card.text).not.toMatch(/UTC/);
  });
});

/** "7 Dec 2026, 11:20 CET": a whole moment on the Berlin reader's clock. */
const BERLIN_MOMENT = String.raw`\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d CET`;

describe('a refusal read in Berlin says its times on the one clock, never UTC', () => {
  const inBerlin = { locale: 'en-GB', localTimezone: BERLIN };
  let harness: Harness;
  let clock = Date.now();
  beforeAll(async () => {
    harness = await startWithApprovers(() => new Date(clock));
  });
  afterAll(() => harness.close());

  it('approving twice: "you already approved this request at" the time on her clock', async () => {
    const twice = await approveTwice(harness, inBerlin);
    expect(twice).toMatch(new RegExp(`You already approved this request at ${BERLIN_MOMENT};`));
    expect(twice).not.toMatch(/UTC/);
  });

  it('too many requests: "try again after" a time on the agent’s clock', async () => {
    const refused = await fileOverTheLimit(harness, inBerlin, 'Lost their phone');
    expect(refused).toMatch(new RegExp(`Try again after ${BERLIN_MOMENT}\\.`));
    expect(refused).not.toMatch(/UTC/);
  });

  it('too late: "this request expired at" the time on the approver’s clock', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    clock += 61 * 60_000;
    const late = await pressIn(harness, cast.megan, 'escalation.approve', { requestId }, inBerlin);
    expect(late).toMatch(new RegExp(`This request expired at ${BERLIN_MOMENT}\\. File a new request`));
    expect(late).not.toMatch(/UTC/);
  });

  it('a pass lost in a crash: the stored failure’s time is on the reader’s clock in the request list', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    // Claimed on Graph's clock (real time), so the pass Graph creates now counts as the claim's.
    const claimedAt = new Date(Date.now() - 60_000);
    const approved = approve(
      (await harness.bot.escalations.current(harness.tenantId, requestId!))!,
      { id: cast.megan.aadObjectId, name: cast.megan.name, eligible: true },
      claimedAt,
    );
    if (isRefusal(approved)) throw new Error(approved.message);
    const issuing = beginIssuing(approved, claimedAt);
    if (isRefusal(issuing)) throw new Error(issuing.message);
    const store = new FileStore({ dataDir: harness.dataDir });
    const key = `${harness.tenantId}:${requestId}`;
    await store.replace('escalations', key, issuing, (await store.get('escalations', key))!.etag);
    await store.close();
    // Graph created the pass, but the bot stopped before it could show it.
    await fetch(`${harness.graph.baseUrl}/users/${cast.adele.aadObjectId}/authentication/temporaryAccessPassMethods`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await harness.restartBot();
    clock += 3 * 60_000;
    await harness.bot.escalations.sweep();
    const list = cardText(cardOf((await harness.say(cast.helen, 'requests', undefined, inBerlin)).replies[0]));
    expect(list).toMatch(new RegExp(`A pass was created at ${BERLIN_MOMENT}, but its code can never be read again`));
    expect(list).not.toMatch(/UTC/);
  });
});

describe("outcome notices are on each chat's own clock, and mail names UTC", () => {
  const inBerlin = { locale: 'en-GB', localTimezone: BERLIN };
  const inTokyo = { locale: 'en-GB', entities: [{ type: 'clientInfo', timezone: 'Asia/Tokyo' }] };
  let harness: Harness;

  beforeAll(async () => {
    harness = await startWithNoticeMail();
    await harness.say(cast.helen, 'hi', undefined, inTokyo);
    await harness.say(cast.megan, 'hi', undefined, inBerlin);
    await harness.say(cast.adele, 'hi', undefined, inBerlin);
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    await pressIn(harness, cast.megan, 'escalation.approve', { requestId }, inBerlin);
    await pressIn(harness, cast.helen, 'pass.hide', { requestId }, inTokyo);
  });
  afterAll(() => harness.close());

  it('Adele, told in Berlin that a pass was issued for her account, reads when and its facts in CET', () => {
    const news = newsFor(harness, cast.adele).find((text) =>
      text.includes('A helpdesk pass was issued for your account'),
    );
    expect(news).toMatch(
      new RegExp(`Temporary Access Pass for your account \\(adele.vance@contoso.com\\) at ${BERLIN_MOMENT}`),
    );
    expect(news).toMatch(new RegExp(`Issued\\n${BERLIN_MOMENT}`));
    expect(news).not.toMatch(/UTC/);
  });

  it('Helen, the agent in Tokyo, reads who approved and when on Tokyo’s clock', () => {
    const news = newsFor(harness, cast.helen).find((text) =>
      text.includes('Approved: the pass for Adele Vance was issued'),
    );
    // Her chat last spoke US English (the form), and US English names Tokyo's zone "GMT+9".
    expect(news).toMatch(/Approved by Megan Bowen at [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d GMT\+9\./);
    expect(news).not.toMatch(/UTC/);
  });

  it('Megan, the manager in Berlin, reads when the pass was handed over in CET', () => {
    const news = newsFor(harness, cast.megan).find((text) => text.includes('The pass for Adele Vance was handed over'));
    expect(news).toMatch(new RegExp(`handed the Temporary Access Pass for Adele Vance over at ${BERLIN_MOMENT}\\.`));
    expect(news).not.toMatch(/UTC/);
  });

  it('the mail to Adele, whose reader’s zone is unknown, names UTC', () => {
    const [mail] = harness.graph.sentMail();
    expect(mail!.message.body.content).toMatch(/at \d{4}-\d\d-\d\d \d\d:\d\d UTC, approved by Megan Bowen/);
  });
});
