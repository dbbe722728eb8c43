import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type RunningBot, startBot } from '../src/compose.js';
import { type Config, type Env, loadConfig } from '../src/config.js';
import { CONTOSO, startDemoTenant } from '../src/demo.js';
import { withDemoClaimValidation } from '../src/emulator/claim-validation-demo.js';
import type { EntraLoginEmulator } from '../src/emulator/entra-login.js';
import type { GraphEmulator } from '../src/emulator/graph-emulator.js';
import { withDemoVerifiedId } from '../src/emulator/verified-id/demo.js';
import type { VerifiedIdEmulator } from '../src/emulator/verified-id/request-service.js';
import { type ConnectorActivity, type FakeConnector, startFakeConnector } from '../src/localchat/connector.js';
import { createLogger } from '../src/log.js';
import { filesUnder, findLeaks } from './leaks.js';

/**
 * Drives the real bot over HTTP the way Teams does: activities POSTed to /api/messages, replies
 * captured at a fake Bot Connector on loopback. Every behaviour test goes through here.
 */

export interface TeamsUser {
  aadObjectId: string;
  name: string;
}

export interface Conversation {
  id: string;
  type: 'personal' | 'groupChat' | 'channel';
}

export interface TurnResult {
  status: number;
  body: any;
  /** Activities the bot sent during the turn (replies and card updates). */
  replies: ConnectorActivity[];
}

export interface Harness {
  bot: RunningBot;
  graph: GraphEmulator;
  connector: FakeConnector;
  logs: string[];
  /** Every Temporary Access Pass the emulated tenant issued, for leak scans. */
  issuedPasses: string[];
  /** The Verified ID Request Service emulator, started when the env turns CALLER_VERIFICATION on. */
  verifiedId?: VerifiedIdEmulator;
  /** Further secrets a test saw (codes, cookies) that must never appear in a log line or a stored byte. */
  secrets: string[];
  /** Entra's sign-in host emulated, started with `claimValidation`: it signs callouts to the extension. */
  entra?: EntraLoginEmulator;
  /**
   * Claim values (dates of birth, document numbers) a test presented or that are on record: never in
   * a log line, a stored byte, a page or any activity the bot sent (cards included).
   */
  claimValues: string[];
  /** Verification pages and callback answers a test fetched (not the one page that shows a pass), scanned with the logs. */
  pages: Array<{ where: string; text: string }>;
  tenantId: string;
  /** Where the bot keeps requests, conversation references and the audit trail (a fresh temp dir per harness). */
  dataDir: string;
  /** What the bot was started with; another instance started with `shareWith` gets the same. */
  config: Config;
  /** Stops the bot and starts a new instance on the same data dir, emulator and connector, as after a crash. */
  restartBot(): Promise<void>;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  say(from: TeamsUser, text: string, conversation?: Conversation, extra?: Record<string, unknown>): Promise<TurnResult>;
  invoke(
    from: TeamsUser,
    verb: string,
    data: Record<string, unknown>,
    conversation?: Conversation,
    replyToId?: string,
    /** 'automatic' is what a client sends when a card's `refresh` fetches the viewer's own view. */
    trigger?: 'manual' | 'automatic',
  ): Promise<TurnResult>;
  /** The invoke Teams sends when the person accepts or declines a FileConsentCard; `uploadInfo` only on accept. */
  fileConsent(
    from: TeamsUser,
    action: 'accept' | 'decline',
    context: unknown,
    uploadInfo?: Record<string, unknown>,
    conversation?: Conversation,
  ): Promise<TurnResult>;
  activity(from: TeamsUser, fields: Record<string, unknown>, conversation?: Conversation): Record<string, unknown>;
  personalChat(user: TeamsUser): Conversation;
  close(): Promise<void>;
}

export const BOT_ACCOUNT = { id: '28:ssar-helpdesk-bot', name: 'SSAR Helpdesk' };

/** The demo tenant's people by role, as Teams users. */
export const people = CONTOSO.people;

/** Starts the Graph emulator with the demo tenant, a fake Bot Connector and the real bot. */
export async function startHarness(
  options: { env?: Env; now?: () => Date; shareWith?: Harness; claimValidation?: boolean } = {},
): Promise<Harness> {
  // Another bot instance on its own port, with the same config, tenant, connector and store; closing it closes only its bot.
  const shared = options.shareWith;
  const connector = shared?.connector ?? (await startFakeConnector());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const issuedPasses: string[] = shared?.issuedPasses ?? [];
  const demo = shared
    ? { emulator: shared.graph, tenantId: shared.tenantId, config: shared.config }
    : await startDemoTenant(loadConfig({ PORT: '0', LOG_LEVEL: 'debug', ...options.env }), 'contoso', {
        onPassIssued: (pass) => issuedPasses.push(pass),
      });
  const tenantId = demo.tenantId;
  const ownDataDir = !shared && options.env?.DATA_DIR === undefined;
  const dataDir = shared?.dataDir ?? options.env?.DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'ssar-harness-')));
  const verified = shared
    ? undefined
    : options.env?.CALLER_VERIFICATION
      ? await withDemoVerifiedId(demo.config)
      : undefined;
  const verifiedId = shared?.verifiedId ?? verified?.emulator;
  const extension =
    !shared && options.claimValidation
      ? await withDemoClaimValidation(verified?.config ?? demo.config, tenantId)
      : undefined;
  const entra = shared?.entra ?? extension?.emulator;
  const config = { ...(extension?.config ?? verified?.config ?? demo.config), dataDir };
  const claimValues: string[] = shared?.claimValues ?? [];
  const secrets: string[] = shared?.secrets ?? [];
  const pages: Array<{ where: string; text: string }> = shared?.pages ?? [];
  const log = createLogger(config.logLevel, sink);
  // The periodic sweep is off: tests call bot.escalations.sweep() when they mean it.
  const start = () => startBot(config, log, { now: options.now, sweepEveryMs: 0 });
  let bot = await start();

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  };

  const personalChat = (user: TeamsUser): Conversation => ({ id: `a:personal-${user.aadObjectId}`, type: 'personal' });

  const activity = (from: TeamsUser, fields: Record<string, unknown>, conversation = personalChat(from)) => ({
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    serviceUrl: connector.serviceUrl,
    channelId: 'msteams',
    from: { id: `29:${from.aadObjectId}`, name: from.name, aadObjectId: from.aadObjectId },
    conversation: {
      id: conversation.id,
      conversationType: conversation.type,
      tenantId,
      isGroup: conversation.type !== 'personal',
    },
    recipient: BOT_ACCOUNT,
    channelData: { tenant: { id: tenantId } },
    locale: 'en-US',
    ...fields,
  });

  const turn = async (body: Record<string, unknown>): Promise<TurnResult> => {
    const before = connector.activities.length;
    const response = await post(body);
    // Typing indicators are Teams chrome, not answers.
    const replies = connector.activities
      .slice(before)
      .filter((a) => (a.replyToId === body.id || a.kind === 'update') && a.activity.type !== 'typing');
    return { ...response, replies };
  };

  return {
    get bot() {
      return bot;
    },
    graph: demo.emulator,
    verifiedId,
    entra,
    claimValues,
    secrets,
    pages,
    connector,
    logs,
    tenantId,
    dataDir,
    config,
    restartBot: async () => {
      await bot.close();
      bot = await start();
    },
    post,
    activity,
    personalChat,
    say: (from, text, conversation, extra = {}) =>
      turn(activity(from, { type: 'message', text, textFormat: 'plain', ...extra }, conversation)),
    invoke: (from, verb, data, conversation, replyToId, trigger = 'manual') =>
      turn(
        activity(
          from,
          {
            type: 'invoke',
            name: 'adaptiveCard/action',
            replyToId: replyToId ?? randomUUID(),
            value: { action: { type: 'Action.Execute', verb, data }, trigger },
          },
          conversation,
        ),
      ),
    issuedPasses,
    fileConsent: (from, action, context, uploadInfo, conversation) =>
      turn(
        activity(
          from,
          {
            type: 'invoke',
            name: 'fileConsent/invoke',
            value: { type: 'fileUpload', action, context, ...(uploadInfo && { uploadInfo }) },
          },
          conversation,
        ),
      ),
    close: async () => {
      await bot.close();
      if (!shared) {
        await connector.close();
        await demo.emulator.close();
        await verifiedId?.close();
        await entra?.close();
      }
      // Every log line and stored byte of every test run through here is scanned for every pass
      // the tenant issued and every configured secret.
      // The callback api-keys and states the bot sent to the Request Service count too.
      const callbackSecrets = (verifiedId?.requests() ?? []).flatMap((r) => [
        r.body.callback.state,
        r.body.callback.headers?.['api-key'] ?? '',
      ]);
      const allSecrets = [
        ...issuedPasses,
        ...secrets,
        ...callbackSecrets,
        options.env?.BOT_PASSWORD ?? '',
        options.env?.GRAPH_CLIENT_SECRET ?? '',
      ];
      // Mail the bot sent (the target's "a pass was issued for your account") is scanned too.
      const mail = demo.emulator
        .sentMail()
        .map((sent, i) => ({ where: `sent mail ${i + 1}`, text: JSON.stringify(sent) }));
      const leaks = findLeaks(
        [
          ...logs.map((text, i) => ({ where: `log line ${i + 1}`, text })),
          ...mail,
          ...pages,
          ...(await filesUnder(dataDir)),
        ],
        allSecrets,
      );
      // Claim values are scanned everywhere, Teams activities included: no card ever shows one.
      leaks.push(
        ...findLeaks(
          [
            ...logs.map((text, i) => ({ where: `log line ${i + 1}`, text })),
            ...pages,
            ...(await filesUnder(dataDir)),
            ...connector.activities.map((a, i) => ({
              where: `activity ${i + 1} the bot sent`,
              text: JSON.stringify(a),
            })),
          ],
          claimValues,
        ),
      );
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
      if (leaks.length > 0) throw new Error(`Secrets leaked: ${[...new Set(leaks)].join('; ')}`);
    },
  };
}

/** The Adaptive Card in a reply, or undefined. */
export function cardOf(reply: ConnectorActivity | undefined): any {
  return reply?.activity.attachments?.find((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive')
    ?.content;
}

/** All visible text of a card, flattened, for assertions a person would make. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (typeof value === 'string' && ['text', 'title', 'value', 'label', 'placeholder', 'altText'].includes(key))
          parts.push(value);
        else walk(value);
      }
    }
  };
  walk(card);
  return parts.join('\n');
}
