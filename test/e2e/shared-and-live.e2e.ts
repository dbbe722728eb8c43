import type { Browser, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import type { ChatPerson } from '../../src/localchat/server.js';
import { ChatPage, launchChromium } from './chat-page.js';
import { type Stack, startStack } from './stack.js';

/**
 * Issue 28 in the browser: a group chat where several people read one card, each seeing their own
 * view of it (1); one live card per request, replaced in place as it moves (3); an approval that
 * shows how long it has waited and with whom, and a denial that needs a reason and tells the agent
 * what to do next (4).
 */

const { agent: helen, colleague: alex, manager: megan } = CONTOSO.people;
/** What only an agent may read about Jon Doe: his sign-in name and the failing requirement. */
const AGENT_ONLY = /jon\.doe@contoso\.com|E5/;

async function click(card: Locator, name: string): Promise<void> {
  const button = card.getByRole('button', { name, exact: true });
  const invoked = card
    .page()
    .waitForResponse((response) => new URL(response.url()).pathname === '/api/invoke', { timeout: 10_000 });
  const [answer] = await Promise.all([invoked, button.click()]);
  expect(answer.status(), `the bot's answer to "${name}"`).toBe(200);
  await expect.poll(() => card.getAttribute('aria-busy')).toBeNull();
}

/** Switches the page to the group chat everyone on the page is in. */
async function intoGroupChat(chat: ChatPage): Promise<Locator> {
  await chat.page.getByLabel('In:').selectOption('group');
  const transcript = chat.page.getByRole('list', { name: `The group chat as ${chat.person.name} sees it` });
  // An empty transcript has no height, so Playwright never calls it visible: wait for it to be shown instead.
  await expect.poll(() => transcript.getAttribute('hidden')).toBeNull();
  return transcript;
}

/** Says something in the group chat, as the person at this page. */
async function sayIn(chat: ChatPage, text: string): Promise<void> {
  await chat.page.getByRole('textbox', { name: 'Message' }).fill(text);
  await chat.page.getByRole('button', { name: 'Send', exact: true }).click();
}

describe('Teams as people use it, in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const pages: ChatPage[] = [];
  const open = async (person: ChatPerson) => {
    const page = await ChatPage.open(browser, stack.chatUrl, person);
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

  it("in a group chat an agent's check is the colleague's answer for everyone; the agent alone sees the detail, as their own view", async () => {
    const helensChat = await open(helen);
    const alexsChat = await open(alex);
    const helensGroup = await intoGroupChat(helensChat);
    const alexsGroup = await intoGroupChat(alexsChat);

    await sayIn(helensChat, 'check jon.doe@contoso.com');
    // Each viewer's page asks the bot for its own view of the shared card (refresh, trigger "automatic").
    const helensView = helensGroup.locator('[data-card]').filter({ hasText: 'Jon Doe' });
    await expect.poll(() => helensView.innerText()).toMatch(AGENT_ONLY);

    const alexsView = alexsGroup.locator('[data-card]').filter({ hasText: 'Jon Doe' });
    await expect.poll(() => alexsView.innerText()).toContain('needs the helpdesk');
    expect(await alexsView.innerText()).not.toMatch(AGENT_ONLY);
    // Not even hidden: nothing the bot posted there for Alex names what only the agent may read.
    const fromBot = await alexsGroup
      .locator('.message.bot')
      .evaluateAll((messages) => messages.map((message) => message.textContent).join('\n'));
    expect(fromBot).not.toMatch(AGENT_ONLY);
    await alexsChat.screenshot(alexsView.locator('xpath=ancestor::li[1]'), 'group-chat-colleague-view');
    await helensChat.screenshot(helensView.locator('xpath=ancestor::li[1]'), 'group-chat-agent-view');
  });

  it('"requests" in the group chat is answered with a pointer to the 1:1 chat, naming nobody', async () => {
    const helensChat = await open(helen);
    const helensGroup = await intoGroupChat(helensChat);
    await sayIn(helensChat, 'requests');
    const answer = helensGroup.locator('[data-card]').filter({ hasText: 'Ask me in our 1:1 chat' });
    await answer.waitFor();
    expect(await answer.innerText()).not.toMatch(/Adele|Megan|Lee|Alex/);
  });

  it("one live card per request in the agent's chat, replaced in place: waiting with whom, then denied with the reason and a next step", async () => {
    const megansChat = await open(megan);
    const helensChat = await open(helen);

    const check = (await helensChat.say('check adele.vance@contoso.com')).locator('[data-card]');
    await expect.poll(() => check.innerText()).toContain('SSAR should work for Adele Vance');
    await click(check, 'Escalate to a pass');
    const form = check;
    await expect.poll(() => form.innerText()).toContain('Request a Temporary Access Pass for Adele Vance');
    await form.getByRole('textbox', { name: 'Why does Adele Vance need a pass?' }).fill('Lost her phone on a trip');
    await form.getByRole('radio', { name: 'Video call with a government ID' }).check();
    await click(form, 'Send for approval');
    await expect.poll(() => form.innerText()).toContain('Waiting for approval');
    const cardsBefore = await helensChat.botMessages().count();

    const approval = megansChat.cardWith('Temporary Access Pass for Adele Vance');
    await approval.waitFor();
    // The card says how long the request has waited.
    expect(await approval.innerText()).toMatch(/Waiting\s*0 minutes so far/);

    // A denial needs a reason: the form will not send without one.
    await approval.getByRole('button', { name: 'Deny', exact: true }).click();
    const denyButton = approval.getByRole('button', { name: 'Deny the request', exact: true });
    await denyButton.waitFor();
    await denyButton.click();
    await expect.poll(() => approval.innerText()).toContain('Say why you deny it.');
    await approval.getByRole('textbox', { name: /Why\?/ }).fill('Not on the video call I expected');
    await click(approval, 'Deny the request');
    await expect.poll(() => approval.innerText()).toContain('Denied by Megan Bowen');
    expect(await approval.getByRole('button').count()).toBe(0);

    // Helen's one card moved to "denied" in place, with the reason and what to do next; no new card.
    await expect.poll(() => form.innerText()).toContain('Not on the video call I expected');
    expect(await form.innerText()).toContain('Next: talk to Megan Bowen about the reason');
    expect(await helensChat.botMessages().count()).toBe(cardsBefore);
    expect(await form.getByRole('button', { name: 'Cancel the request', exact: true }).count()).toBe(0);
    await helensChat.screenshot(form.locator('xpath=ancestor::li[1]'), 'live-card-denied');
  });
});
