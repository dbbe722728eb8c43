import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import type { ChatPerson } from '../../src/localchat/server.js';

/**
 * The local chat page in headless Chromium, driven the way a person uses it: typing in the
 * composer and clicking card buttons by their names.
 */

export const CHROMIUM = '/usr/bin/chromium';

/** Closed network here: without the background-networking flags Chromium keeps calling Google's hosts. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Debian's Chromium; playwright-core gives every launch a fresh temporary profile (user-data dir) and removes it on close. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM}, and it is not installed. Run: bash scripts/install-chromium.sh`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export const SCREENSHOTS_DIR = 'test-results/screenshots';
/** `npm run screenshots` sets E2E_DOCS_SCREENSHOTS to also refresh the few pictures the README shows. */
const DOCS_SCREENSHOTS_DIR = 'docs/screenshots';
const refreshDocs = Boolean(process.env.E2E_DOCS_SCREENSHOTS);

export class ChatPage {
  /** Console errors and uncaught exceptions: a working page has none. */
  readonly problems: string[] = [];

  private constructor(
    readonly page: Page,
    readonly person: ChatPerson,
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
  }

  /**
   * Opens the chat as this person in a browser context of its own (its own cookies and storage, like
   * another device), in the browser language and time zone given, and waits for the bot's greeting.
   */
  static async open(
    browser: Browser,
    chatUrl: string,
    person: ChatPerson,
    { locale = 'en-US', timezoneId = 'UTC' } = {},
  ): Promise<ChatPage> {
    const context = await browser.newContext({
      viewport: { width: 900, height: 1000 },
      colorScheme: 'light',
      locale,
      timezoneId,
    });
    const chat = new ChatPage(await context.newPage(), person);
    await chat.page.goto(`${chatUrl}#as=${person.aadObjectId}`);
    await chat.botMessages().first().locator('[data-card]').waitFor();
    return chat;
  }

  transcript(): Locator {
    return this.page.getByRole('list', { name: `${this.person.name}'s chat with the bot` });
  }

  botMessages(): Locator {
    return this.transcript().locator('.message.bot');
  }

  /** Types a message, sends it with the Send button (or the Enter key), and returns the bot's next message. */
  async say(text: string, { sendWith = 'Send button' }: { sendWith?: 'Send button' | 'Enter' } = {}): Promise<Locator> {
    const before = await this.botMessages().count();
    const composer = this.page.getByRole('textbox', { name: 'Message' });
    await composer.fill(text);
    if (sendWith === 'Enter') await composer.press('Enter');
    else await this.page.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = this.botMessages().nth(before);
    await reply.waitFor();
    return reply;
  }

  /** The bot message holding the card with this text (cards are replaced in place when a button answers with a new one). */
  cardWith(text: string | RegExp): Locator {
    return this.transcript().locator('[data-card]').filter({ hasText: text });
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }

  /**
   * Saves a picture of one message as a person sees it, under test-results/screenshots (and, for
   * `forDocs` ones, docs/screenshots in `npm run screenshots`), with a margin of the chat around it. The viewport
   * grows to fit the message so tall cards are not cut off by the scrolling transcript.
   */
  async screenshot(message: Locator, name: string, { forDocs = false } = {}): Promise<void> {
    const viewport = this.page.viewportSize()!;
    const height = (await message.boundingBox())?.height ?? 0;
    if (height + 200 > viewport.height)
      await this.page.setViewportSize({ width: viewport.width, height: Math.ceil(height) + 200 });
    await message.scrollIntoViewIfNeeded();
    const box = (await message.boundingBox())!;
    const margin = 16;
    const clip = {
      x: Math.max(0, box.x - margin),
      y: Math.max(0, box.y - margin),
      width: box.width + 2 * margin,
      height: box.height + 2 * margin,
    };
    for (const dir of forDocs && refreshDocs ? [SCREENSHOTS_DIR, DOCS_SCREENSHOTS_DIR] : [SCREENSHOTS_DIR]) {
      await mkdir(dir, { recursive: true });
      await this.page.screenshot({ path: join(dir, `${name}.png`), clip, animations: 'disabled', caret: 'hide' });
    }
    await this.page.setViewportSize(viewport);
  }
}
