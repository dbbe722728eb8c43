import { mkdir } from 'node:fs/promises';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import { DEMO_VERIFIER_DID } from '../../src/emulator/verified-id/demo.js';
import { TestWallet, verifiedEmployee } from '../../src/emulator/verified-id/wallet.js';
import type { ChatPerson } from '../../src/localchat/server.js';
import { ChatPage, launchChromium, SCREENSHOTS_DIR } from './chat-page.js';
import { type Stack, startStack } from './stack.js';

const { agent: helen, manager: megan } = CONTOSO.people;
const ADELE = { userPrincipalName: 'adele.vance@contoso.com', givenName: 'Adele', surname: 'Vance' };

async function click(card: Locator, name: string): Promise<void> {
  // The newest first: a list of requests has an Open button per request.
  const button = card.getByRole('button', { name, exact: true }).first();
  const invoked = card
    .page()
    .waitForResponse((response) => new URL(response.url()).pathname === '/api/invoke', { timeout: 10_000 });
  const [answer] = await Promise.all([invoked, button.click()]);
  expect(answer.status(), `the bot's answer to "${name}"`).toBe(200);
  await expect.poll(() => card.getAttribute('aria-busy')).toBeNull();
}

/** The newest card with this text, by its position in the chat: the locator stays on it when the card is replaced in place. */
async function lastCardWith(chat: ChatPage, text: string, from = 0): Promise<Locator> {
  const messages = chat.botMessages();
  const indexOf = async () => {
    for (let i = (await messages.count()) - 1; i >= from; i--)
      if ((await messages.nth(i).innerText()).includes(text)) return i;
    return -1;
  };
  await expect
    .poll(indexOf, { message: `a card with "${text}" in ${chat.person.name}'s chat` })
    .toBeGreaterThanOrEqual(0);
  return messages.nth(await indexOf()).locator('[data-card]');
}

const buttonsOf = async (card: Locator) =>
  Promise.all((await card.getByRole('button').all()).map((button) => button.getAttribute('aria-label')));
const countOf = (text: string, part: string) => text.split(part).length - 1;

/** The caller's page as a picture; `npm run screenshots` also refreshes the copy the README shows. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const dir of process.env.E2E_DOCS_SCREENSHOTS ? [SCREENSHOTS_DIR, 'docs/screenshots'] : [SCREENSHOTS_DIR]) {
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
  }
}

describe('caller verification in the browser, under "required"', () => {
  let stack: Stack;
  let browser: Browser;
  const chats: ChatPage[] = [];
  const callers: Page[] = [];
  const open = async (person: ChatPerson) => {
    const chat = await ChatPage.open(browser, stack.chatUrl, person);
    chats.push(chat);
    return chat;
  };
  /** The caller's own device: a browser context of its own. */
  const callerTab = async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 600, height: 900 }, colorScheme: 'light', locale: 'en-US' })
    ).newPage();
    callers.push(page);
    return page;
  };
  const record = async (page: Page, where: string) => stack.pages.push({ where, text: (await page.content()) ?? '' });

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startStack({ CALLER_VERIFICATION: 'required', RATE_LIMIT_PER_TARGET_PER_HOUR: '10' });
  });
  afterEach(async () => {
    await Promise.all(chats.splice(0).map((chat) => chat.close()));
    await Promise.all(callers.splice(0).map((page) => page.context().close()));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Helen files a request for Adele and starts verification; returns the request card and the link and code she got. */
  async function requestAndStart(helensChat: ChatPage) {
    const from = await helensChat.botMessages().count();
    await helensChat.say('escalate adele.vance@contoso.com');
    const check = await lastCardWith(helensChat, 'Request a Temporary Access Pass for Adele Vance', from);
    await expect.poll(() => check.innerText()).toContain('Request a Temporary Access Pass for Adele Vance');
    await check.getByRole('textbox', { name: 'Why does Adele Vance need a pass?' }).fill('Lost her phone on a trip');
    await check.getByRole('radio', { name: 'Video call with a government ID' }).check();
    await click(check, 'Send for approval');
    await expect.poll(() => check.innerText()).toContain('Waiting for approval');
    const sentFrom = await helensChat.botMessages().count();
    await click(check, 'Verify with Face Check');
    // The link and code arrive in Helen's own 1:1 chat, as a message of their own.
    const sent = await lastCardWith(helensChat, 'Verify Adele Vance with Face Check', sentFrom);
    const text = await sent.innerText();
    const link = /Link: (\S+)/.exec(text)?.[1];
    // The code is read out in two groups ("482 913"), and typed as heard.
    const code = /Code: (\d{3} \d{3})/.exec(text)?.[1];
    if (!link || !code) throw new Error(`no link and code on the card: ${text.replace(/\d{3} ?\d{3}/g, '### ###')}`);
    return { card: check, link, code };
  }

  async function openAsCaller(link: string, code: string) {
    const caller = await callerTab();
    await caller.goto(link);
    await caller.getByRole('textbox', { name: 'Code' }).fill(code);
    await caller.getByRole('button', { name: 'Continue' }).click();
    await caller.getByRole('heading', { name: 'Scan with Microsoft Authenticator' }).waitFor();
    expect(await caller.getByRole('img', { name: 'QR code for Microsoft Authenticator' }).isVisible()).toBe(true);
    await shoot(caller, 'verification-page');
    await record(caller, 'the QR page');
    const authenticatorLink = (await caller.getByRole('link', { name: 'Open in Authenticator' }).getAttribute('href'))!;
    return { caller, authenticatorLink };
  }

  async function approvalCardOf(megansChat: ChatPage) {
    // The approval card may arrive in her chat meanwhile: find the list by its title, not by position.
    const from = await megansChat.botMessages().count();
    await megansChat.say('requests');
    const list = await lastCardWith(megansChat, 'Recent Temporary Access Pass requests', from);
    await click(list, 'Open');
    const card = list;
    await expect.poll(() => card.innerText()).toContain('Temporary Access Pass for Adele Vance');
    return card;
  }

  it('the agent starts it in the chat, the caller sees the QR code, passes Face Check, the manager approves, and the pass appears once in the caller tab only', {
    timeout: 60_000,
  }, async () => {
    const megansChat = await open(megan);
    const helensChat = await open(helen);
    const { link, code } = await requestAndStart(helensChat);

    const before = await approvalCardOf(megansChat);
    expect(await buttonsOf(before)).toEqual(['Deny']);
    expect(await before.innerText()).toContain('has not yet proved with Verified ID and Face Check');

    const { caller, authenticatorLink } = await openAsCaller(link, code);
    const presented = await new TestWallet().present(authenticatorLink, {
      credential: verifiedEmployee(ADELE, DEMO_VERIFIER_DID),
      faceCheckScore: 88.4,
    });
    expect(presented.callbackStatus).toBe(200);
    await caller.getByRole('heading', { name: 'You are verified' }).waitFor({ timeout: 15_000 });
    await record(caller, 'verified page');

    const approval = await approvalCardOf(megansChat);
    const evidence = await approval.innerText();
    expect(evidence).toContain('Passed: VerifiedEmployee matched by sign-in name');
    expect(evidence).toContain('88.4 (threshold 70)');
    expect(evidence).toContain(DEMO_VERIFIER_DID);
    await megansChat.screenshot(approval.locator('xpath=ancestor::li[1]'), 'approval-with-verification', {
      forDocs: true,
    });
    expect(await buttonsOf(approval)).toEqual(['Approve', 'Deny']);
    await click(approval, 'Approve');
    await expect.poll(() => approval.innerText()).toContain('Approved');

    await caller.getByRole('heading', { name: 'Your pass is approved' }).waitFor({ timeout: 15_000 });
    await record(caller, 'approved page');
    await caller.getByRole('button', { name: 'Show my pass now' }).click();
    await caller.getByRole('heading', { name: 'Your Temporary Access Pass' }).waitFor();
    expect(stack.issuedPasses.length, 'passes the tenant issued').toBe(1);
    const [pass] = stack.issuedPasses as [string];
    // Whether the pass is there, never what it is, so a failing run does not print it.
    expect((await caller.locator('#pass').innerText()) === pass, 'the pass is on the caller page').toBe(true);
    await caller.locator('#pass').evaluate((element) => (element.textContent = '••••••••'));
    await shoot(caller, 'verification-pass');

    await caller.goto(link);
    expect(await caller.getByRole('heading', { name: 'Your pass was shown' }).isVisible()).toBe(true);
    expect(countOf(await caller.content(), pass), 'the pass after reopening the link').toBe(0);
    await record(caller, 'page after the pass');

    // Helen learns it was delivered, nothing more; nobody's chat ever received it.
    const from = await helensChat.botMessages().count();
    await helensChat.say('requests');
    const mine = await lastCardWith(helensChat, 'Recent Temporary Access Pass requests', from);
    await click(mine, 'Open');
    await expect.poll(() => mine.innerText()).toContain('Shown once to the verified caller on their own page');
    for (const chat of [helensChat, megansChat]) {
      const everything = await chat.page.evaluate(() => document.documentElement.textContent ?? '');
      expect(everything.includes(pass), `the pass is in ${chat.person.name}'s page`).toBe(false);
    }
    expect(await helensChat.cardWith('Only you can see this').count()).toBe(0);
  });

  it('with a failing Face Check score, no approval is possible', { timeout: 60_000 }, async () => {
    const megansChat = await open(megan);
    const helensChat = await open(helen);
    const { link, code } = await requestAndStart(helensChat);
    const { caller, authenticatorLink } = await openAsCaller(link, code);
    await new TestWallet().present(authenticatorLink, {
      credential: verifiedEmployee(ADELE, DEMO_VERIFIER_DID),
      faceCheckScore: 51,
    });
    await caller.getByRole('heading', { name: 'The verification did not pass' }).waitFor({ timeout: 15_000 });
    await record(caller, 'failed page');
    const approval = await approvalCardOf(megansChat);
    expect(await approval.innerText()).toContain('Not passed: Face Check did not match');
    expect(await buttonsOf(approval)).toEqual(['Deny']);
  });
});

describe('caller verification in the browser, under "optional": evidence first, on every card, in place', () => {
  let stack: Stack;
  let browser: Browser;
  const chats: ChatPage[] = [];
  const callers: Page[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startStack({ CALLER_VERIFICATION: 'optional', RATE_LIMIT_PER_TARGET_PER_HOUR: '10' });
  });
  afterAll(async () => {
    await Promise.all(chats.splice(0).map((chat) => chat.close()));
    await Promise.all(callers.splice(0).map((page) => page.context().close()));
    await browser?.close();
    await stack?.close();
  });

  it('the approver’s card shows each step as it happens, and approving after a failure takes a second click that says so', {
    timeout: 90_000,
  }, async () => {
    const megansChat = await ChatPage.open(browser, stack.chatUrl, megan);
    const helensChat = await ChatPage.open(browser, stack.chatUrl, helen);
    chats.push(megansChat, helensChat);

    const from = await helensChat.botMessages().count();
    await helensChat.say('escalate adele.vance@contoso.com');
    const helens = await lastCardWith(helensChat, 'Request a Temporary Access Pass for Adele Vance', from);
    await helens.getByRole('textbox', { name: 'Why does Adele Vance need a pass?' }).fill('Lost her phone on a trip');
    await helens.getByRole('radio', { name: 'Video call with a government ID' }).check();
    await click(helens, 'Send for approval');
    await expect.poll(() => helens.innerText()).toContain('Waiting for approval');

    // The approval card Megan got when the request was filed: the verification state from the start.
    const approval = await lastCardWith(megansChat, 'Temporary Access Pass for Adele Vance');
    await expect.poll(() => approval.innerText()).toContain('Not started (optional)');
    expect(await buttonsOf(approval)).toContain('Approve…');
    expect(await buttonsOf(approval)).not.toContain('Approve');

    const sentFrom = await helensChat.botMessages().count();
    await click(helens, 'Verify with Face Check');
    const sent = await lastCardWith(helensChat, 'Verify Adele Vance with Face Check', sentFrom);
    const text = await sent.innerText();
    const link = /Link: (\S+)/.exec(text)![1]!;
    // Read out in two groups ("482 913"), typed as heard.
    const code = /Code: (\d{3} \d{3})/.exec(text)![1]!;
    // The same message in Megan's chat, replaced in place, and Helen's own card too.
    await expect.poll(() => approval.innerText()).toContain('Link sent: waiting for the caller to open it');
    await expect.poll(() => helens.innerText()).toContain('Link sent: waiting for the caller to open it');

    const caller = await (await browser.newContext({ locale: 'en-US' })).newPage();
    callers.push(caller);
    await caller.goto(link);
    await caller.getByRole('textbox', { name: 'Code' }).fill(code);
    await caller.getByRole('button', { name: 'Continue' }).click();
    await caller.getByRole('heading', { name: 'Scan with Microsoft Authenticator' }).waitFor();
    await expect.poll(() => approval.innerText()).toContain('In progress: the caller entered the code');

    const authenticatorLink = (await caller.getByRole('link', { name: 'Open in Authenticator' }).getAttribute('href'))!;
    await new TestWallet().present(authenticatorLink, {
      credential: verifiedEmployee(ADELE, DEMO_VERIFIER_DID),
      faceCheckScore: 51,
    });
    await expect.poll(() => approval.innerText()).toContain('Not passed: Face Check did not match');
    await expect.poll(() => helens.innerText()).toContain('Not passed: Face Check did not match');
    await lastCardWith(helensChat, 'Caller verification did not pass: Adele Vance');

    // "Approve…" only opens the confirmation; the second click says what Megan accepts.
    await approval.getByRole('button', { name: 'Approve…', exact: true }).click();
    const confirm = approval.getByRole('button', { name: 'Approve although verification failed', exact: true });
    await confirm.waitFor();
    expect(await approval.innerText()).toContain('You accept the failed verification');
    expect(stack.issuedPasses).toHaveLength(0);
    await click(approval, 'Approve although verification failed');
    await expect.poll(() => approval.innerText()).toContain('Megan Bowen accepted a failed caller verification');
    await expect.poll(() => stack.issuedPasses.length).toBe(1);
  });
});
