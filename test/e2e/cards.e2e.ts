import type { Browser, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import type { ChatPerson } from '../../src/localchat/server.js';
import { AADSTS55200_PAGE } from '../diagnosis/fixtures.js';
import { ChatPage, launchChromium } from './chat-page.js';
import { type Stack, startStack } from './stack.js';

const { agent: helen, colleague: alex, manager: megan } = CONTOSO.people;

/** Clicks a card button the way a person does and waits for the bot's answer to the invoke it sends. */
async function click(card: Locator, name: string): Promise<void> {
  const button = card.getByRole('button', { name, exact: true });
  const invoked = card
    .page()
    .waitForResponse((response) => new URL(response.url()).pathname === '/api/invoke', { timeout: 10_000 });
  const [answer] = await Promise.all([invoked, button.click()]);
  expect(answer.status(), `the bot's answer to "${name}"`).toBe(200);
  await expect.poll(() => card.getAttribute('aria-busy')).toBeNull();
}

/** The chat message a card is in: what the screenshots show. */
const messageOf = (card: Locator) => card.locator('xpath=ancestor::li[1]');

const buttonsOf = async (card: Locator) =>
  Promise.all((await card.getByRole('button').all()).map((button) => button.getAttribute('aria-label')));

describe('the cards as a person sees them, in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const pages: ChatPage[] = [];
  const open = async (person: ChatPerson, browserLanguage?: { locale: string; timezoneId: string }) => {
    const page = await ChatPage.open(browser, stack.chatUrl, person, browserLanguage);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startStack();
  });
  afterEach(async () => {
    const opened = pages.splice(0);
    await Promise.all(opened.map((page) => page.close()));
    for (const page of opened) expect(page.problems, `the page as ${page.person.name} had errors`).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('an agent checking the duplicate-name user sees the failing requirement E5', async () => {
    const chat = await open(helen);
    await chat.screenshot(chat.botMessages().first(), 'welcome', { forDocs: true });

    const reply = await chat.say('check Jon Doe');
    const card = reply.locator('[data-card]');
    await expect.poll(() => card.innerText()).toContain('SSAR will not work for Jon Doe yet');
    const e5 = card.getByText('E5 No other recovery-group member with the same name: fail');
    expect(await e5.isVisible()).toBe(true);
    expect(await card.innerText()).toContain('Shares First + Last name with Jón Doe (jon.doe2@contoso.com)');
    expect(await buttonsOf(card)).toEqual([
      'Show all 12 checks',
      'Send the guide',
      'Diagnose',
      'Check again',
      'Escalate to a pass',
    ]);
    await chat.screenshot(reply, 'agent-eligibility-jon-doe', { forDocs: true });

    // What is wrong comes first; the passing checks wait behind one button.
    const passing = card.getByText('E1 Account is enabled and a member: pass');
    expect(await passing.isVisible()).toBe(false);
    await card.getByRole('button', { name: 'Show all 12 checks' }).click();
    expect(await passing.isVisible()).toBe(true);
    await card.getByRole('button', { name: 'Show all 12 checks' }).click();

    await click(card, 'Check again');
    expect(await card.getByText('E5 No other recovery-group member with the same name: fail').isVisible()).toBe(true);
  });

  it('a colleague whose browser is in German gets the guide in German, every step', async () => {
    const chat = await open(alex, { locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    const guide = await chat.say('guide');
    const card = guide.locator('[data-card]');
    await expect.poll(() => card.innerText()).toContain('So kommen Sie wieder in Ihr Arbeitskonto');
    const seen = await card.innerText();
    expect(seen).toContain('öffnen Sie ein privates Browserfenster');
    expect(seen).toContain('Registrieren Sie unter Sicherheitsinformationen sofort einen Passkey');
    expect(seen).not.toContain('Steps');
    expect(seen).toContain('aka.ms/mfasetup öffnen');
    expect(await buttonsOf(card)).toContain('Etwas ist schiefgegangen');
    await chat.screenshot(guide, 'guide-de', { forDocs: true });
  });

  it('a colleague asking about the same user sees only the short answer and the guide', async () => {
    const chat = await open(alex);
    const reply = await chat.say('check jon.doe@contoso.com', { sendWith: 'Enter' });
    const card = reply.locator('[data-card]');
    await expect.poll(() => card.innerText()).toContain('Jon Doe needs the helpdesk');
    const seen = await card.innerText();
    expect(seen).not.toMatch(/\bE\d{1,2}\b/);
    expect(seen).not.toMatch(/acl_ssar|sg-|pilot_wave/);
    expect(seen).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|UTC/);
    expect(seen).not.toContain('Jón');
    // The guide, the helpdesk's contact (HELPDESK_CONTACT, a made-up number in the demo) and a way to ask it.
    expect(await buttonsOf(card)).toEqual(['Show the guide to forward', 'Ask the helpdesk for them']);
    expect(await card.getByRole('link', { name: 'Call the helpdesk' }).isVisible()).toBe(true);
    expect(seen).toContain('Helpdesk: +1 425 555 0100');
    await chat.screenshot(reply, 'colleague-answer', { forDocs: true });

    const before = await chat.botMessages().count();
    await click(card, 'Show the guide to forward');
    await expect.poll(() => reply.getByRole('status').innerText()).toContain('The guide is below');
    const guide = chat.botMessages().nth(before);
    await expect.poll(() => guide.innerText()).toContain('https://aka.ms/mfasetup');
    await chat.screenshot(guide, 'guide');

    // For someone who cannot open Teams: the same guide as plain text to copy, in the language chosen.
    const guideCard = guide.locator('[data-card]');
    await guideCard.getByRole('button', { name: 'As text for SMS or mail', exact: true }).click();
    await guideCard.getByRole('combobox', { name: 'In which language?' }).selectOption({ label: 'Español' });
    const beforeText = await chat.botMessages().count();
    await click(guideCard, 'Show the text');
    const plain = chat.botMessages().nth(beforeText);
    const box = plain.getByRole('textbox', { name: 'The guide to copy' });
    await box.waitFor();
    const text = await box.inputValue();
    expect(text.split('\n')[0]).toBe('https://aka.ms/mfasetup');
    expect(text).toContain('1. Abra el enlace de arriba en una ventana privada.');
    expect(await plain.getByRole('link', { name: 'Open it in a new mail' }).isVisible()).toBe(true);
    await chat.screenshot(plain, 'guide-text', { forDocs: true });
  });

  it('a pasted AADSTS55200 error page is diagnosed as recovery started from the wrong page', async () => {
    const chat = await open(alex);
    const reply = await chat.say(AADSTS55200_PAGE);
    // The page went to the bot with its lines, as pasted into Teams.
    const said = chat.transcript().locator('.message.person').last();
    expect(await said.innerText()).toContain(
      'Correlation Id: 8c1d4e7a-2b3f-4a5c-9d6e-1f0a2b3c4d5e\nTimestamp: 2025-12-10T10:11:12Z',
    );
    const card = reply.locator('[data-card]');
    await expect.poll(() => card.innerText()).toContain('AADSTS55200');
    const seen = await card.innerText();
    expect(seen).toMatch(/started from a portal or app sign-in page/);
    expect(seen).toContain('https://aka.ms/mfasetup');
    expect(seen).toContain('8c1d4e7a-2b3f-4a5c-9d6e-1f0a2b3c4d5e');
    await chat.screenshot(reply, 'diagnosis', { forDocs: true });
  });

  it('an agent escalates, the manager approves in her own browser, and the agent alone sees the pass, once', async () => {
    // Megan opens the app first (installs it), or the bot could not reach her.
    const megansChat = await open(megan);
    const helensChat = await open(helen);

    const check = (await helensChat.say('check adele.vance@contoso.com')).locator('[data-card]');
    await expect.poll(() => check.innerText()).toContain('SSAR should work for Adele Vance');
    await click(check, 'Escalate to a pass');
    // The form replaces the check card in place, as in Teams.
    const form = check;
    await expect.poll(() => form.innerText()).toContain('Request a Temporary Access Pass for Adele Vance');
    await form.getByRole('textbox', { name: 'Why does Adele Vance need a pass?' }).fill('Lost her phone on a trip');
    await form.getByRole('radio', { name: 'Video call with a government ID' }).check();
    await form
      .getByRole('textbox', { name: 'Details of the verification (required for Other)' })
      .fill('Passport on camera');
    await helensChat.screenshot(messageOf(form), 'escalation-request');
    await click(form, 'Send for approval');
    await expect.poll(() => form.innerText()).toContain('Waiting for approval');
    expect(await form.innerText()).toContain('Sent for approval to Megan Bowen');

    const approval = megansChat.cardWith('Temporary Access Pass for Adele Vance');
    await approval.waitFor();
    const approvalText = await approval.innerText();
    expect(approvalText).toContain('Lost her phone on a trip');
    expect(approvalText).toContain('Video call with a government ID: Passport on camera');
    expect(approvalText).toContain('A new pass replaces any pass they hold now');
    // The demo verifies callers optionally: approving an unverified caller takes a second click that says so.
    expect(await buttonsOf(approval)).toEqual(['Approve…', 'Deny']);
    await megansChat.screenshot(messageOf(approval), 'approval', { forDocs: true });
    await approval.getByRole('button', { name: 'Approve…', exact: true }).click();
    await approval.getByRole('button', { name: 'Approve without a verified caller', exact: true }).waitFor();
    await click(approval, 'Approve without a verified caller');
    await expect.poll(() => approval.innerText()).toContain('Pass issued');
    expect(await buttonsOf(approval)).toEqual([]);

    const tapCard = helensChat.cardWith('Only you can see this');
    await tapCard.waitFor();
    expect(stack.issuedPasses.length, 'passes the tenant issued').toBe(1);
    const [pass] = stack.issuedPasses as [string];
    // Assertions say whether the pass is there, never what it is, so a failing run does not print it.
    // The pass to copy, then the same in groups of four and each character named, to read it out.
    const [passOnCard, groupsOnCard, spelledOnCard] = (await tapCard
      .locator('.ac-richTextBlock .ac-textRun')
      .all()) as [Locator, Locator, Locator];
    expect((await passOnCard.innerText()) === pass, 'the pass is on the card').toBe(true);
    expect(await passOnCard.isVisible()).toBe(true);
    // Give both pages a few more polls: nothing else may bring the pass.
    await helensChat.page.waitForTimeout(2000);
    expect(countOf(await helensChat.transcript().innerText(), pass), 'times the pass shows in her chat').toBe(1);
    // Not even hidden: Megan's browser never received it.
    const megansPage = await megansChat.page.evaluate(() => document.documentElement.textContent ?? '');
    expect(megansPage.includes(pass), "the pass is in Megan's page").toBe(false);

    expect((await groupsOnCard.innerText()).replace(/ /g, '') === pass, 'the pass in groups').toBe(true);
    expect(await spelledOnCard.innerText()).toMatch(/^((capital|small) [A-Za-z]|\d|[a-z ]+)(, |$)/);
    await passOnCard.evaluate((element) => (element.textContent = '••••••••'));
    await groupsOnCard.evaluate((element) => (element.textContent = '•••• ••••'));
    await spelledOnCard.evaluate(
      (element) => (element.textContent = 'capital •, small •, •, hash / small •, capital •, •, asterisk'),
    );
    const helensPage = await helensChat.page.evaluate(() => document.documentElement.textContent ?? '');
    expect(helensPage.includes(pass), 'the pass is still on the page about to be photographed').toBe(false);
    await helensChat.screenshot(messageOf(tapCard), 'tap-issued', { forDocs: true });
  });
});

function countOf(text: string, part: string): number {
  return text.split(part).length - 1;
}
