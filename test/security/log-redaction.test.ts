import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { findLeaks } from '../leaks.js';

const PASS = 'Tq9#kZ2!';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJib3QifQ.c2lnbmF0dXJlLXZhbHVl';
const SECRETS = {
  pass: PASS,
  clientSecret: 'graph-client-secret-123',
  botPassword: 'bot-password-456',
  refreshToken: 'refresh-token-789',
  cookie: 'session=cookie-abc',
  assertion: 'client-assertion-def',
};

/** Logs through the bot's real logger and returns the JSON lines it wrote. */
function logged(write: (log: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  write(createLogger('debug', sink));
  return lines.join('').split('\n').filter(Boolean);
}

/**
 * The bot never hands a credential to the logger on purpose. These are the ways one could slip in
 * anyway (a Graph response, a request, an error, the config), and each must come out censored.
 */
describe('structured logs censor credentials wherever they sit', () => {
  const lines = logged((log) => {
    log.info({ temporaryAccessPass: PASS, id: 'method-1' }, 'graph response');
    log.info(
      { batch: { responses: [{ id: '1', status: 201, body: { temporaryAccessPass: PASS } }] } },
      'batch response',
    );
    log.info({ requestId: 'r-1', pass: { code: PASS, lifetimeInMinutes: 60 } }, 'delivering');
    log.warn(
      { req: { method: 'POST', headers: { Authorization: `Bearer ${JWT}`, cookie: SECRETS.cookie } } },
      'incoming request',
    );
    log.warn(
      {
        graph: {
          response: { access_token: JWT, refresh_token: SECRETS.refreshToken, id_token: JWT, token_type: 'Bearer' },
        },
      },
      'token response',
    );
    log.info(
      {
        config: {
          graph: { clientSecret: SECRETS.clientSecret },
          botAuth: { password: SECRETS.botPassword },
          MicrosoftAppPassword: SECRETS.botPassword,
        },
      },
      'config',
    );
    log.debug({ form: { client_assertion: SECRETS.assertion, client_secret: SECRETS.clientSecret } }, 'token request');
    log.error(
      Object.assign(new Error(`401 for Bearer ${JWT}`), { request: { headers: { authorization: `Bearer ${JWT}` } } }),
      'graph call failed',
    );
    log.warn({ note: `retrying with Bearer ${JWT}` }, 'retry');
  });

  it('no credential value appears in any line', () => {
    expect(
      findLeaks(
        lines.map((text, i) => ({ where: `line ${i + 1}`, text })),
        [...Object.values(SECRETS), JWT],
      ),
    ).toEqual([]);
    for (const line of lines) expect(line).toContain('[redacted]');
  });

  it('a pass in a Graph response, a $batch answer or on its way to the requester is censored', () => {
    expect(JSON.parse(lines[0]!)).toMatchObject({ temporaryAccessPass: '[redacted]', id: 'method-1' });
    expect(JSON.parse(lines[1]!).batch.responses[0]).toMatchObject({
      status: 201,
      body: { temporaryAccessPass: '[redacted]' },
    });
    expect(JSON.parse(lines[2]!)).toMatchObject({
      requestId: 'r-1',
      pass: { code: '[redacted]', lifetimeInMinutes: 60 },
    });
  });

  it('authorization headers and cookies in either letter case, and OAuth tokens, are censored', () => {
    expect(JSON.parse(lines[3]!).req).toEqual({
      method: 'POST',
      headers: { Authorization: '[redacted]', cookie: '[redacted]' },
    });
    expect(JSON.parse(lines[4]!).graph.response).toEqual({
      access_token: '[redacted]',
      refresh_token: '[redacted]',
      id_token: '[redacted]',
      token_type: 'Bearer',
    });
  });

  it('secrets in a logged config or token request are censored', () => {
    expect(JSON.parse(lines[5]!).config).toEqual({
      graph: { clientSecret: '[redacted]' },
      botAuth: { password: '[redacted]' },
      MicrosoftAppPassword: '[redacted]',
    });
    expect(JSON.parse(lines[6]!).form).toEqual({ client_assertion: '[redacted]', client_secret: '[redacted]' });
  });

  it('an error keeps its name and message, with headers it carries and bearer tokens it quotes censored', () => {
    const { err } = JSON.parse(lines[7]!);
    expect(err).toMatchObject({
      type: 'Error',
      message: '401 for Bearer [redacted]',
      request: { headers: { authorization: '[redacted]' } },
    });
    expect(JSON.parse(lines[8]!).note).toBe('retrying with Bearer [redacted]');
  });

  it('ordinary fields, such as Graph error codes and counts, are left alone', () => {
    const [line] = logged((log) =>
      log.warn(
        { requestId: 'r-2', status: 403, code: 'Authorization_RequestDenied', counts: { pass: 3, fail: 1 } },
        'pass creation failed',
      ),
    );
    expect(JSON.parse(line!)).toMatchObject({
      requestId: 'r-2',
      status: 403,
      code: 'Authorization_RequestDenied',
      counts: { pass: 3, fail: 1 },
    });
  });
});
