import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH } from '../../src/app/verify-caller.js';
import { canonicalLinkId, linkId } from '../../src/caller-verification/secrets.js';
import { FileStore } from '../../src/storage/file-store.js';
import type { Harness } from '../harness.js';
import { CallerBrowser, fileAndStartVerification, type Started, startVerifying } from './helpers.js';

/**
 * The caller's link and code are read out on a call: after the bot's address, eight characters in
 * two groups and a six-digit code in two groups, fourteen characters in all (at about two a second,
 * some seven seconds), and the page takes them as heard.
 */
describe('a verification link and code short enough to read out on a call', () => {
  let harness: Harness;
  let started: Started;
  beforeAll(async () => {
    harness = await startVerifying('required');
    started = await fileAndStartVerification(harness);
  });
  afterAll(() => harness.close());

  it('the agent reads: the bot’s address, /verify/, two groups of four, and the code in two groups of three', () => {
    const path = started.link.slice(harness.bot.url.length);
    expect(path).toMatch(/^\/verify\/[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(started.text).toMatch(/Code: \*\*\d{3} \d{3}\*\*/);
    const spelled = `${path.slice('/verify/'.length)} ${started.code.slice(0, 3)} ${started.code.slice(3)}`;
    expect(spelled.replace(/[\s-]/g, '')).toHaveLength(14);
    expect(spelled.split(/[\s-]/).every((group) => group.length <= 4)).toBe(true);
  });

  it('the link typed as heard (capitals, no dash) leads to the same page, and the code typed with its space works', async () => {
    const id = started.sessionId;
    const typed = `${harness.bot.url}/verify/${id.replace('-', '').toUpperCase()}`;
    const moved = await fetch(typed, { redirect: 'manual' });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe(`/verify/${id}`);
    const browser = new CallerBrowser(harness);
    const page = await browser.enterCode(typed, `${started.code.slice(0, 3)} ${started.code.slice(3)}`);
    expect(page.status).toBe(200);
    expect(page.setCookie).toContain(`Path=/verify/${id}`);
    expect(page.html).toContain('Scan with Microsoft Authenticator');
  });

  it('the link is a secret: the logs and the audit trail name the session by a reference that holds no part of it', async () => {
    const browser = new CallerBrowser(harness);
    await browser.enterCode(started.link, '000000');
    await fetch(`${harness.bot.url}${CALLBACK_PATH}/${started.sessionId}`, { method: 'POST', body: '{}' });
    const audit = await new FileStore({ dataDir: harness.dataDir }).readLog<Record<string, unknown>>('audit');
    const ours = audit.filter(
      (entry) => entry.requestId === started.requestId && entry.action === 'caller-verification',
    );
    expect(ours.length).toBeGreaterThan(0);
    const written = [...harness.logs, JSON.stringify(audit)].join('\n');
    const plain = started.sessionId.replace('-', '');
    // Any six characters in a row of the link, as shown or as typed without its dash.
    const pieces = [started.sessionId, plain].flatMap((id) =>
      Array.from({ length: id.length - 5 }, (_, i) => id.slice(i, i + 6)),
    );
    expect(pieces.filter((piece) => written.includes(piece))).toEqual([]);
    expect(ours.every((entry) => typeof entry.session === 'string' && (entry.session as string).length >= 8)).toBe(
      true,
    );
  });

  it('a link that never existed, or is no link id at all, is the page that says the link does not work', async () => {
    for (const id of ['zzzz-zzzz', 'not-a-link-at-all', '%3Cscript%3E']) {
      const answer = await fetch(`${harness.bot.url}/verify/${id}`, { redirect: 'manual' });
      expect(answer.status, id).toBe(404);
      expect(await answer.text()).toContain('This link does not work any more');
    }
  });
});

describe('link ids', () => {
  it('are eight characters of Crockford’s Base32 in two groups, different each time', () => {
    const ids = Array.from({ length: 200 }, linkId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(new Set(ids).size).toBe(200);
  });

  it('read as typed: any case, spaces or no dash, I and L as 1, O as 0; an old long id as it is', () => {
    expect(canonicalLinkId('K7M2 X9QD')).toBe('k7m2-x9qd');
    expect(canonicalLinkId('k7m2x9qd')).toBe('k7m2-x9qd');
    expect(canonicalLinkId('LO3I-abcd')).toBe('1031-abcd');
    expect(canonicalLinkId('k7m2-x9qu')).toBeUndefined();
    expect(canonicalLinkId('k7m2-x9q')).toBeUndefined();
    expect(canonicalLinkId('../../etc/passwd')).toBeUndefined();
    const old = 'a'.repeat(43);
    expect(canonicalLinkId(old)).toBe(old);
  });
});
