import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import { ChatPage, launchChromium } from './chat-page.js';
import { type Stack, startStack } from './stack.js';

/*
 * The demo of issue 30 with no Azure: on the chat page the helpdesk agent plays Entra sending a
 * recovery attempt to the claim validation extension, then sees the attempt on `check`.
 */
describe('claim validation in the demo, in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let chat: ChatPage;

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startStack();
    chat = await ChatPage.open(browser, stack.chatUrl, CONTOSO.people.agent);
  });
  afterAll(async () => {
    await chat?.close();
    expect(chat?.problems ?? []).toEqual([]);
    await browser?.close();
    await stack?.close();
  });

  const playEntra = async (person: string, scenario: string) => {
    const page = chat.page;
    const panel = page.getByText('Play Entra: a recovery attempt reaches the claim validation extension');
    if (!(await page.getByRole('button', { name: "Send Entra's callout" }).isVisible())) await panel.click();
    await page.getByLabel('Who is recovering').selectOption({ label: person });
    await page.getByLabel('What they present').selectOption({ label: scenario });
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/entra/callout');
    await page.getByRole('button', { name: "Send Entra's callout" }).click();
    expect((await answered).status()).toBe(200);
    const status = page.getByRole('status');
    await expect.poll(() => status.innerText()).toMatch(/answered/);
    return status.innerText();
  };

  it('each Jon Doe passes with his own ID; a namesake and a wrong date fail, naming only the claims', async () => {
    expect(await playEntra('Jon Doe (jon.doe@contoso.com)', 'Their own ID')).toContain('answered pass');
    expect(await playEntra('Jón Doe (jon.doe2@contoso.com)', 'Their own ID')).toContain('answered pass');
    expect(await playEntra('Jón Doe (jon.doe2@contoso.com)', "Their namesake's ID")).toContain(
      'answered failed on firstName, dateOfBirth',
    );
    const wrongDate = await playEntra('Jon Doe (jon.doe@contoso.com)', 'A wrong date of birth');
    expect(wrongDate).toContain('answered failed on dateOfBirth');
    expect(wrongDate).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('the agent then sees the last attempt on the check card, with what to do', async () => {
    const reply = await chat.say('check jon.doe@contoso.com');
    const card = reply.locator('[data-card]');
    await expect.poll(() => card.innerText()).toContain('Claim validation during recovery');
    const text = await card.innerText();
    expect(text).toContain('Failed: dateOfBirth did not match the record.');
    expect(text).toContain('Ask HR to check the record');
    await chat.screenshot(reply, 'agent-claim-validation-attempt', { forDocs: true });
  });
});
