import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inReaderTime, readerClock, readerOf } from '../../src/teams/locale.js';
import { approvalCard, cast, fileRequest, openApp } from '../escalation-bot/helpers.js';
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
});
