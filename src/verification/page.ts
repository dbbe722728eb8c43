import type restify from 'restify';
import type { PassToDeliver } from '../app/escalations.js';
import type { CallerPage, VerifyCaller } from '../app/verify-caller.js';
import { CALLBACK_PATH, VERIFY_PATH } from '../app/verify-caller.js';
import { canonicalLinkId } from '../caller-verification/secrets.js';
import { errorSummary, type Logger } from '../log.js';

/**
 * The caller's verification page (plain HTML, no sign-in, no script) and the Request Service's
 * callback endpoint, served by the bot's own restify server.
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

export function registerVerificationRoutes(
  server: restify.Server,
  verify: VerifyCaller,
  options: { secureCookie: boolean; log: Logger },
): void {
  const { log } = options;
  const html = (res: restify.Response, status: number, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...HEADERS, ...extra });
    res.end(body);
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
          html(
            res,
            503,
            layout(
              'Something went wrong',
              '<p>The verification could not continue. Ask the helpdesk agent to start again.</p>',
            ),
          );
      }
    };

  server.get(
    `${VERIFY_PATH}/:id`,
    guarded(async (req, res) => {
      const typed = String(req.params.id);
      const id = canonicalLinkId(typed);
      if (id === undefined) return html(res, 404, render({ kind: 'gone' }, ''));
      // A link typed from a call ("K7M2 X9QD") moves to its one form, the path its cookie is scoped to.
      if (id !== typed) {
        res.writeHead(303, { ...HEADERS, location: `${VERIFY_PATH}/${id}` });
        res.end();
        return;
      }
      const page = await verify.page(id, cookieFor(req));
      html(res, page.kind === 'gone' ? 404 : 200, render(page, id));
    }),
  );

  server.post(
    `${VERIFY_PATH}/:id`,
    guarded(async (req, res) => {
      const id = canonicalLinkId(String(req.params.id));
      if (id === undefined) return html(res, 404, render({ kind: 'gone' }, ''));
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
      html(res, result.kind === 'gone' ? 404 : 200, render(result, id));
    }),
  );

  server.post(
    `${VERIFY_PATH}/:id/pass`,
    guarded(async (req, res) => {
      const id = canonicalLinkId(String(req.params.id));
      if (id === undefined) return html(res, 404, render({ kind: 'gone' }, ''));
      const outcome = await verify.collectPass(id, cookieFor(req), (pass) => writeOnce(res, passPage(pass)));
      if (outcome !== 'shown') html(res, outcome.kind === 'gone' ? 404 : 200, render(outcome, id));
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
function writeOnce(res: restify.Response, body: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (res.socket?.destroyed) return reject(new Error('the browser closed the connection'));
    res.once('error', reject);
    res.writeHead(200, HEADERS);
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

function layout(title: string, body: string, refresh = false): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh ? `<meta http-equiv="refresh" content="${REFRESH_S}">` : ''}<title>${escapeHtml(title)} · SSAR Helpdesk</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
h1{font-size:1.4rem}.box{border:1px solid #ccc;border-radius:.5rem;padding:1rem;margin:1rem 0}.pass{font:700 2rem ui-monospace,monospace;letter-spacing:.15em}
.warn{background:#fff4ce}.bad{background:#fde7e9}.good{background:#dff6dd}img{width:16rem;height:16rem;image-rendering:pixelated}
button,input{font-size:1.1rem;padding:.4rem .8rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

const TYPE_WORDS: Record<string, string> = {
  VerifiedEmployee: 'my work credential (Verified employee, from My Account)',
  VerifiedIdentity: 'the credential from my identity verification (account recovery)',
};

export function render(page: CallerPage, sessionId: string): string {
  switch (page.kind) {
    case 'gone':
      return layout(
        'This link does not work any more',
        '<p>It expired, was used up, or never existed. Ask the helpdesk agent for a new link.</p>',
      );
    case 'opened-elsewhere':
      return layout(
        'This link is open in another browser',
        '<p>The verification continues only in the browser where the code was entered. If that was not you, tell the helpdesk agent now.</p>',
      );
    case 'enter-code': {
      const choice =
        page.types.length > 1
          ? `<p>Which credential will you show?</p>${page.types
              .map(
                (t, i) =>
                  `<label><input type="radio" name="type" value="${escapeHtml(t)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(TYPE_WORDS[t] ?? t)}</label><br>`,
              )
              .join('')}`
          : '';
      return layout(
        `Hello ${page.targetFirstName}: prove it is you`,
        `${page.problem ? `<div class="box bad">${escapeHtml(page.problem)}</div>` : ''}
<p>Your helpdesk agent gave you a six-digit code with this link. Enter it here, then scan the QR code with Microsoft Authenticator and take a selfie for Face Check.</p>
<form method="post"><label for="code">Code</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required autofocus>
${choice}<p><button type="submit">Continue</button></p></form>
<p>Only this browser will be able to continue, so use the one you will keep open.</p>`,
      );
    }
    case 'present':
      return layout(
        'Scan with Microsoft Authenticator',
        `${page.retrieved ? '<div class="box good">Authenticator has opened the request: share your credential and do the Face Check there.</div>' : ''}
${page.qrCode ? `<p><img alt="QR code for Microsoft Authenticator" src="${escapeHtml(page.qrCode)}"></p>` : ''}
<p>On this phone? <a id="open-in-authenticator" href="${escapeHtml(page.link)}">Open in Authenticator</a></p>
<p>Keep this page open: it updates on its own. The request works until ${escapeHtml(page.expiresAt.replace('T', ' ').slice(0, 16))} UTC.</p>`,
        true,
      );
    case 'failed':
      return layout(
        'The verification did not pass',
        `<div class="box bad">${escapeHtml(page.failure)}</div><p>Tell your helpdesk agent; they can start a new verification.</p>`,
      );
    case 'verified':
      switch (page.next) {
        case 'wait-for-approval':
          return layout(
            'You are verified',
            '<div class="box good">Thank you. An approver now decides on your Temporary Access Pass. Keep this page open: once it is approved, you can show your pass here.</div>',
            true,
          );
        case 'collect-pass':
          return layout(
            'Your pass is approved',
            `<div class="box warn">Your Temporary Access Pass is shown <strong>once</strong>, on this page only. Have a pen or your sign-in page ready, and do not share it with anyone, including the helpdesk.</div>
<form method="post" action="${VERIFY_PATH}/${escapeHtml(sessionId)}/pass" id="collect"><button type="submit">Show my pass now</button></form>`,
          );
        case 'being-shown':
          return layout(
            'Your pass is shown once',
            '<p>Your pass is shown once, in the window where you asked for it, and is not shown again.</p>',
          );
        case 'agent-delivers':
          return layout(
            'You are verified',
            '<div class="box good">Your helpdesk agent will give you your Temporary Access Pass.</div>',
          );
        case 'delivered':
          return layout(
            'Your pass was shown',
            '<p>It was shown once and is not kept anywhere, so it cannot be shown again. If you lost it, ask your helpdesk for a new request.</p>',
          );
        case 'closed':
          return layout('No pass', `<p>${escapeHtml(page.closedBecause ?? 'The request is closed.')}</p>`);
      }
  }
}

function passPage(pass: PassToDeliver): string {
  const minute = (at: string) => escapeHtml(at.replace('T', ' ').slice(0, 16));
  return layout(
    'Your Temporary Access Pass',
    `<div class="box good"><p>Sign in with this pass now and register a new way to sign in (a passkey in Microsoft Authenticator):</p>
<p class="pass" id="pass">${escapeHtml(pass.code)}</p></div>
<p>Valid from ${minute(pass.startsAt)} UTC until ${minute(pass.expiresAt)} UTC (${pass.lifetimeInMinutes} minutes)${pass.isUsableOnce ? ', for one sign-in only' : ''}.</p>
<p>This page shows it once and forgets it: reloading will not show it again. Start at <a href="https://aka.ms/mfasetup">https://aka.ms/mfasetup</a>.</p>`,
  );
}
