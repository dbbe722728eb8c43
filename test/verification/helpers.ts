import { DEMO_VERIFIER_DID } from '../../src/emulator/verified-id/demo.js';
import type { Presentation } from '../../src/emulator/verified-id/request-service.js';
import { TestWallet, verifiedEmployee } from '../../src/emulator/verified-id/wallet.js';
import { act, cast, fileRequest, openApp, personalChatId } from '../escalation-bot/helpers.js';
import { cardText, type Harness, startHarness, type TeamsUser } from '../harness.js';

export { DEMO_VERIFIER_DID as ISSUER };

export const ADELE = {
  userPrincipalName: 'adele.vance@contoso.com',
  givenName: 'Adele',
  surname: 'Vance',
  displayName: 'Adele Vance',
};

/** The bot with caller verification on, against the Request Service emulator; generous rate limits so each test files its own request. */
export async function startVerifying(
  policy: string,
  env: Record<string, string> = {},
  now?: () => Date,
): Promise<Harness> {
  const harness = await startHarness({
    now,
    env: {
      CALLER_VERIFICATION: policy,
      VERIFIED_ID_AUTHORITY: DEMO_VERIFIER_DID,
      VERIFIED_ID_ACCEPTED_ISSUERS: DEMO_VERIFIER_DID,
      RATE_LIMIT_PER_REQUESTER_PER_HOUR: '100',
      RATE_LIMIT_PER_TARGET_PER_HOUR: '100',
      ...env,
    },
  });
  await openApp(harness, cast.helen, cast.megan, cast.lee);
  return harness;
}

export interface Started {
  requestId: string;
  link: string;
  code: string;
  sessionId: string;
  /** The agent's answer to "Verify with Face Check". */
  text: string;
}

/** Helen files a request for Adele and starts verification from its card. */
/** The request each harness filed last, so the next test starts from none open (one open request per target). */
const lastFiled = new WeakMap<Harness, string>();

export async function fileAndStartVerification(harness: Harness): Promise<Started> {
  const previous = lastFiled.get(harness);
  // Cancelling a request that already ended is refused, and changes nothing.
  if (previous) await act(harness, cast.helen, 'escalation.cancel', { requestId: previous });
  const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
  if (!requestId || requestId === previous) throw new Error('the request was not filed');
  lastFiled.set(harness, requestId);
  return { requestId, ...(await startVerification(harness, requestId)) };
}

export async function startVerification(harness: Harness, requestId: string) {
  const before = harness.connector.activities.length;
  const answer = await act(harness, cast.helen, 'verification.start', { requestId });
  // The link and code arrive in Helen's 1:1 chat; the click itself is answered with a line (or a refusal card).
  const sent = harness.connector.activities
    .slice(before)
    .filter((a) => a.conversationId === personalChatId(cast.helen));
  const text =
    sent.map((a) => cardText(a.activity.attachments?.[0]?.content)).join('\n') ||
    answer.text ||
    String(answer.body?.value ?? '');
  const link = /Link: (\S+)/.exec(text)?.[1] ?? '';
  // Read out in two groups ("482 913"); typed either way.
  const spoken = /Code: \*\*(\d{3} \d{3})\*\*/.exec(text)?.[1] ?? '';
  const code = spoken.replace(' ', '');
  if (code) harness.secrets.push(code, spoken);
  return { link, code, sessionId: link.split('/').at(-1) ?? '', text };
}

/** One browser: its own cookie, every page it was shown recorded for the leak scan (except the pass page, returned to the test). */
export class CallerBrowser {
  cookie: string | undefined;
  constructor(
    private readonly harness: Harness,
    /** The Accept-Language header the browser sends, as a browser set to that language would. */
    private readonly acceptLanguage?: string,
  ) {}

  private async fetch(
    url: string,
    init: RequestInit = {},
  ): Promise<{ status: number; html: string; setCookie?: string; location?: string; headers: Headers }> {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.acceptLanguage ? { 'accept-language': this.acceptLanguage } : {}),
      },
    });
    return {
      status: response.status,
      html: await response.text(),
      setCookie: response.headers.get('set-cookie') ?? undefined,
      location: response.headers.get('location') ?? undefined,
      headers: response.headers,
    };
  }

  async open(link: string) {
    const page = await this.fetch(link);
    this.harness.pages.push({ where: `GET ${link}`, text: page.html });
    return page;
  }

  /** Types the code; on success keeps the cookie and follows the redirect to the QR page. */
  async enterCode(link: string, code: string, type?: string) {
    const body = new URLSearchParams({ code, ...(type ? { type } : {}) });
    const answer = await this.fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    this.harness.pages.push({ where: `POST ${link}`, text: answer.html });
    if (answer.status !== 303) return answer;
    const cookie = answer.setCookie?.split(';')[0];
    if (cookie) {
      this.cookie = cookie;
      this.harness.secrets.push(cookie.split('=')[1]!);
    }
    return { ...(await this.open(new URL(answer.location!, link).href)), setCookie: answer.setCookie };
  }

  /** The "Show my pass now" button. The answer is not recorded: it is the one page that shows the pass. */
  async collectPass(link: string) {
    return this.fetch(`${link}/pass`, { method: 'POST' });
  }

  /** The openid-vc link the page offers ("Open in Authenticator"). */
  static authenticatorLink(html: string): string {
    return /id="open-in-authenticator" href="([^"]+)"/.exec(html)?.[1]?.replace(/&#38;/g, '&') ?? '';
  }
}

/** The caller opens the link, enters the code and presents from the wallet. Returns the browser and the wallet's result. */
export async function verifyAsCaller(
  harness: Harness,
  started: Started,
  presentation: Presentation = { credential: verifiedEmployee(ADELE, DEMO_VERIFIER_DID), faceCheckScore: 86.3 },
) {
  const browser = new CallerBrowser(harness);
  const qrPage = await browser.enterCode(started.link, started.code);
  const authenticatorLink = CallerBrowser.authenticatorLink(qrPage.html);
  const presented = await new TestWallet().present(authenticatorLink, presentation);
  return { browser, qrPage, authenticatorLink, presented };
}

export const cardAs = async (harness: Harness, person: TeamsUser, requestId: string) => {
  const { card } = await act(harness, person, 'escalation.view', { requestId });
  return { card, text: cardText(card), actions: (card?.actions ?? []).map((a: any) => a.title) as string[] };
};

/** The api-key and state the bot sent with the session's presentation request (what only the Request Service knows). */
export function callbackSecrets(harness: Harness, sessionId: string) {
  const request = harness.verifiedId!.requests().find((r) => r.body.callback.url.endsWith(`/${sessionId}`));
  if (!request) throw new Error('no presentation request for that session');
  return {
    apiKey: request.body.callback.headers!['api-key']!,
    state: request.body.callback.state,
    requestId: request.requestId,
    url: request.body.callback.url,
  };
}

export async function postCallback(url: string, body: unknown, apiKey?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'api-key': apiKey } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

export { act, cast, TestWallet, verifiedEmployee };
