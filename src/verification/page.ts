import type restify from 'restify';
import type { PassToDeliver } from '../app/escalations.js';
import type { CallerPage, VerifyCaller } from '../app/verify-caller.js';
import { CALLBACK_PATH, VERIFY_PATH } from '../app/verify-caller.js';
import { canonicalLinkId } from '../caller-verification/secrets.js';
import { errorSummary, type Logger } from '../log.js';
import { currentReader, forReader, type Reader, readerOfBrowser, readerTime, t } from '../teams/locale.js';

/**
 * The caller's verification page (plain HTML, no sign-in, no script) and the Request Service's
 * callback endpoint, served by the bot's own restify server. The page speaks the browser's
 * language (Accept-Language, one of the five the cards ship) and writes its times in UTC, named:
 * the server cannot know the browser's zone, and the page runs no script to learn it (its CSP
 * allows none, and the page that shows a pass is the last place to start running script).
 */

const COOKIE = 'ssar-verify';
const COOKIE_MAX_AGE_S = 2 * 3600;
/** Waiting pages look again on their own; the pass page never does. */
const REFRESH_S = 3;

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The headers of a page in the reader's language: caches keep one copy per Accept-Language. */
const headersFor = (reader: Reader) => ({ ...HEADERS, vary: 'Accept-Language', 'content-language': reader.language });

export function registerVerificationRoutes(
  server: restify.Server,
  verify: VerifyCaller,
  options: { secureCookie: boolean; log: Logger },
): void {
  const { log } = options;
  /** Renders `page` for the browser that asked, in its language. */
  const html = (req: restify.Request, res: restify.Response, status: number, page: () => string) => {
    const reader = readerOfBrowser(req.headers['accept-language']);
    res.writeHead(status, headersFor(reader));
    res.end(forReader(reader, page));
  };
  const cookieFor = (req: restify.Request) => readCookie(req.headers.cookie, COOKIE);
  const guarded =
    (handler: (req: restify.Request, res: restify.Response) => Promise<void>) =>
    async (req: restify.Request, res: restify.Response) => {
      try {
        await handler(req, res);
      } catch (error) {
        log.warn({ err: errorSummary(error) }, 'verification page failed');
        if (!res.headersSent)
          html(req, res, 503, () =>
            layout(
              t('Something went wrong'),
              paragraph(t('The verification could not continue. Ask the helpdesk agent to start again.')),
            ),
          );
      }
    };

  server.get(
    `${VERIFY_PATH}/:id`,
    guarded(async (req, res) => {
      const typed = String(req.params.id);
      const id = canonicalLinkId(typed);
      if (id === undefined) return html(req, res, 404, () => render({ kind: 'gone' }, ''));
      // A link typed from a call ("K7M2 X9QD") moves to its one form, the path its cookie is scoped to.
      if (id !== typed) {
        res.writeHead(303, { ...HEADERS, location: `${VERIFY_PATH}/${id}` });
        res.end();
        return;
      }
      const page = await verify.page(id, cookieFor(req));
      html(req, res, page.kind === 'gone' ? 404 : 200, () => render(page, id));
    }),
  );

  server.post(
    `${VERIFY_PATH}/:id`,
    guarded(async (req, res) => {
      const id = canonicalLinkId(String(req.params.id));
      if (id === undefined) return html(req, res, 404, () => render({ kind: 'gone' }, ''));
      const form = (req.body ?? {}) as Record<string, unknown>;
      // Read out in two groups ("482 913"): typed with or without the space.
      const code = typeof form.code === 'string' ? form.code.slice(0, 20).replace(/\s/g, '') : '';
      const type = typeof form.type === 'string' ? form.type.slice(0, 40) : undefined;
      const result = await verify.enterCode(id, code, type, cookieFor(req));
      if ('cookie' in result) {
        const attributes = [
          `${COOKIE}=${result.cookie}`,
          `Path=${VERIFY_PATH}/${id}`,
          `Max-Age=${COOKIE_MAX_AGE_S}`,
          'HttpOnly',
          'SameSite=Strict',
          ...(options.secureCookie ? ['Secure'] : []),
        ];
        res.writeHead(303, { ...HEADERS, location: `${VERIFY_PATH}/${id}`, 'set-cookie': attributes.join('; ') });
        res.end();
        return;
      }
      html(req, res, result.kind === 'gone' ? 404 : 200, () => render(result, id));
    }),
  );

  server.post(
    `${VERIFY_PATH}/:id/pass`,
    guarded(async (req, res) => {
      const id = canonicalLinkId(String(req.params.id));
      if (id === undefined) return html(req, res, 404, () => render({ kind: 'gone' }, ''));
      const reader = readerOfBrowser(req.headers['accept-language']);
      const outcome = await verify.collectPass(id, cookieFor(req), (pass) =>
        writeOnce(
          res,
          reader,
          forReader(reader, () => passPage(pass)),
        ),
      );
      if (outcome !== 'shown') html(req, res, outcome.kind === 'gone' ? 404 : 200, () => render(outcome, id));
    }),
  );

  server.post(
    `${CALLBACK_PATH}/:id`,
    guarded(async (req, res) => {
      const apiKey = req.headers['api-key'];
      const status = await verify.callback(
        String(req.params.id),
        typeof apiKey === 'string' ? apiKey : undefined,
        req.body,
      );
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          status < 300 ? { status: 'ok' } : { error: { code: 'Refused', message: 'This callback was not accepted.' } },
        ),
      );
    }),
  );
}

/** Writes the pass page and resolves once it left this process; throws if the browser went away first. */
function writeOnce(res: restify.Response, reader: Reader, body: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (res.socket?.destroyed) return reject(new Error('the browser closed the connection'));
    res.once('error', reject);
    res.writeHead(200, headersFor(reader));
    res.end(body, () => resolve());
  });
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A translated text as HTML: escaped, then each `${name}` left in it replaced by `markup` (already HTML). */
const withMarkup = (text: string, markup: Record<string, string> = {}) =>
  escapeHtml(text).replace(/\$\{(\w+)\}/g, (whole, name: string) => markup[name] ?? whole);

const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`;

/** A moment in the page's language, in UTC and saying so; machine-readable for the browser. */
const moment = (at: string) => `<time datetime="${escapeHtml(at)}">${escapeHtml(readerTime(at))}</time>`;

function layout(title: string, body: string, refresh = false): string {
  return `<!doctype html>
<html lang="${currentReader().language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh ? `<meta http-equiv="refresh" content="${REFRESH_S}">` : ''}<title>${escapeHtml(title)} · SSAR Helpdesk</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
h1{font-size:1.4rem}.box{border:1px solid #ccc;border-radius:.5rem;padding:1rem;margin:1rem 0}.pass{font:700 2rem ui-monospace,monospace;letter-spacing:.15em}
.warn{background:#fff4ce}.bad{background:#fde7e9}.good{background:#dff6dd}img{width:16rem;height:16rem;image-rendering:pixelated}
button,input{font-size:1.1rem;padding:.4rem .8rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

const TYPE_WORDS: Record<string, () => string> = {
  VerifiedEmployee: () => t('my work credential (Verified employee, from My Account)'),
  VerifiedIdentity: () => t('the credential from my identity verification (account recovery)'),
};

export function render(page: CallerPage, sessionId: string): string {
  switch (page.kind) {
    case 'gone':
      return layout(
        t('This link does not work any more'),
        paragraph(t('It expired, was used up, or never existed. Ask the helpdesk agent for a new link.')),
      );
    case 'opened-elsewhere':
      return layout(
        t('This link is open in another browser'),
        paragraph(
          t(
            'The verification continues only in the browser where the code was entered. If that was not you, tell the helpdesk agent now.',
          ),
        ),
      );
    case 'enter-code': {
      const choice =
        page.types.length > 1
          ? `${paragraph(t('Which credential will you show?'))}${page.types
              .map(
                (type, i) =>
                  `<label><input type="radio" name="type" value="${escapeHtml(type)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(TYPE_WORDS[type]?.() ?? type)}</label><br>`,
              )
              .join('')}`
          : '';
      return layout(
        t('Hello ${name}: prove it is you', { name: page.targetFirstName }),
        `${page.problem ? `<div class="box bad">${escapeHtml(t(page.problem))}</div>` : ''}
${paragraph(t('Your helpdesk agent gave you a six-digit code with this link. Enter it here, then scan the QR code with Microsoft Authenticator and take a selfie for Face Check.'))}
<form method="post"><label for="code">${escapeHtml(t('Code'))}</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required autofocus>
${choice}<p><button type="submit">${escapeHtml(t('Continue'))}</button></p></form>
${paragraph(t('Only this browser will be able to continue, so use the one you will keep open.'))}`,
      );
    }
    case 'present':
      return layout(
        t('Scan with Microsoft Authenticator'),
        `${page.retrieved ? `<div class="box good">${escapeHtml(t('Authenticator has opened the request: share your credential and do the Face Check there.'))}</div>` : ''}
${page.qrCode ? `<p><img alt="${escapeHtml(t('QR code for Microsoft Authenticator'))}" src="${escapeHtml(page.qrCode)}"></p>` : ''}
<p>${escapeHtml(t('On this phone?'))} <a id="open-in-authenticator" href="${escapeHtml(page.link)}">${escapeHtml(t('Open in Authenticator'))}</a></p>
<p>${withMarkup(t('Keep this page open: it updates on its own. The request works until ${at}.'), { at: moment(page.expiresAt) })}</p>`,
        true,
      );
    case 'failed':
      return layout(
        t('The verification did not pass'),
        `<div class="box bad">${escapeHtml(t(page.failure))}</div>${paragraph(t('Tell your helpdesk agent; they can start a new verification.'))}`,
      );
    case 'verified':
      return verifiedPage(page, sessionId);
  }
}

function verifiedPage(page: Extract<CallerPage, { kind: 'verified' }>, sessionId: string): string {
  switch (page.next) {
    case 'wait-for-approval':
      return layout(
        t('You are verified'),
        `<div class="box good">${escapeHtml(t('Thank you. An approver now decides on your Temporary Access Pass. Keep this page open: once it is approved, you can show your pass here.'))}</div>`,
        true,
      );
    case 'collect-pass':
      return layout(
        t('Your pass is approved'),
        `<div class="box warn"><strong>${escapeHtml(t('Your Temporary Access Pass is shown once, on this page only.'))}</strong> ${escapeHtml(t('Have a pen or your sign-in page ready, and do not share it with anyone, including the helpdesk.'))}</div>
<form method="post" action="${VERIFY_PATH}/${escapeHtml(sessionId)}/pass" id="collect"><button type="submit">${escapeHtml(t('Show my pass now'))}</button></form>`,
      );
    case 'being-shown':
      return layout(
        t('Your pass is shown once'),
        paragraph(t('Your pass is shown once, in the window where you asked for it, and is not shown again.')),
      );
    case 'agent-delivers':
      return layout(
        t('You are verified'),
        `<div class="box good">${escapeHtml(t('Your helpdesk agent will give you your Temporary Access Pass.'))}</div>`,
      );
    case 'delivered':
      return layout(
        t('Your pass was shown'),
        paragraph(
          t(
            'It was shown once and is not kept anywhere, so it cannot be shown again. If you lost it, ask your helpdesk for a new request.',
          ),
        ),
      );
    case 'closed':
      return layout(t('No pass'), paragraph(page.closedBecause ? t(page.closedBecause) : t('The request is closed.')));
  }
}

function passPage(pass: PassToDeliver): string {
  const valid = { from: moment(pass.startsAt), until: moment(pass.expiresAt) };
  const minutes = pass.lifetimeInMinutes;
  return layout(
    t('Your Temporary Access Pass'),
    `<div class="box good">${paragraph(t('Sign in with this pass now and register a new way to sign in (a passkey in Microsoft Authenticator):'))}
<p class="pass" id="pass">${escapeHtml(pass.code)}</p></div>
<p>${withMarkup(
      pass.isUsableOnce
        ? t('Valid from ${from} until ${until} (${minutes} minutes), for one sign-in only.', { minutes })
        : t('Valid from ${from} until ${until} (${minutes} minutes).', { minutes }),
      valid,
    )}</p>
<p>${withMarkup(t('This page shows it once and forgets it: reloading will not show it again. Start at ${link}.'), {
      link: '<a href="https://aka.ms/mfasetup">https://aka.ms/mfasetup</a>',
    })}</p>`,
  );
}
