import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import { ChatPage, launchChromium } from './chat-page.js';
import { type Stack, startStack } from './stack.js';

const { agent: helen, colleague: alex } = CONTOSO.people;
const JON = '11111111-0000-4000-8000-000000000004';

describe('the people picker in the local chat page', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startStack();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('an agent types "Jon", picks Jon Doe from the typeahead, and the check runs for exactly that person', async () => {
    const chat = await ChatPage.open(browser, stack.chatUrl, helen);
    try {
      const welcome = chat.cardWith('Hi, I am the account recovery helper');
      const picker = welcome.getByRole('textbox', { name: 'Who is locked out?' });
      const searched = chat.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/search');
      await picker.pressSequentially('Jon');
      expect((await searched).status()).toBe(200);
      const choice = welcome.getByText('Jon Doe (jon.doe@contoso.com)', { exact: true });
      await choice.waitFor();
      expect(await welcome.getByText('Jón Doe (jon.doe2@contoso.com)', { exact: true }).isVisible()).toBe(true);
      await chat.screenshot(welcome.locator('xpath=ancestor::li[1]'), 'people-picker');
      await choice.click();
      expect(await picker.inputValue()).toBe('Jon Doe (jon.doe@contoso.com)');

      const invoked = chat.page.waitForRequest((request) => new URL(request.url()).pathname === '/api/invoke');
      await welcome.getByRole('button', { name: 'Check this person', exact: true }).click();
      expect((await invoked).postDataJSON().data).toMatchObject({ target: JON });
      await expect.poll(() => chat.cardWith('SSAR will not work for Jon Doe yet').count()).toBe(1);
      expect(chat.problems).toEqual([]);
    } finally {
      await chat.close();
    }
  });

  it('a colleague sees only names in the picker', async () => {
    const chat = await ChatPage.open(browser, stack.chatUrl, alex);
    try {
      const welcome = chat.cardWith('Hi, I am the account recovery helper');
      await welcome.getByRole('textbox', { name: 'Who is locked out?' }).pressSequentially('Jon');
      await welcome.getByText('Jon Doe', { exact: true }).waitFor();
      const dropdown = await welcome.locator('.ac-choiceSetInput-filtered-dropdown').innerText();
      expect(dropdown).toContain('Jon Doe');
      expect(dropdown).not.toContain('@');
      expect(chat.problems).toEqual([]);
    } finally {
      await chat.close();
    }
  });
});
