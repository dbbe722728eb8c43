import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { AskHelpdesk } from './app/ask-helpdesk.js';
import { EscalationService } from './app/escalations.js';
import { OutcomeNotices } from './app/notify-outcome.js';
import type { OrganisationRecords } from './app/ports.js';
import { CALLBACK_PATH, VerifyCaller } from './app/verify-caller.js';
import type { Config } from './config.js';
import { graphCredential, requestServiceCredential } from './credentials.js';
import { defaultCatalogue } from './diagnosis/catalogue.js';
import { Directory } from './directory/directory.js';
import { Graph } from './directory/graph.js';
import { GraphMailer } from './directory/mail.js';
import { PERMISSIONS, unknownReason } from './directory/permissions.js';
import { TeamsAppInstaller } from './directory/teams-app-installation.js';
import { TenantFacts } from './directory/tenant.js';
import type { Logger } from './log.js';
import { ReadinessJobs } from './readiness/jobs.js';
import { type ClaimsSource, createClaimsSource } from './recovery-extension/claims-source.js';
import { setUpClaimValidation } from './recovery-extension/setup.js';
import { createServer, type Readiness, turnAwareLogger } from './server.js';
import { BlobStore } from './storage/blob-store.js';
import { COLLECTIONS } from './storage/collections.js';
import { FileStore } from './storage/file-store.js';
import { StoredHelpdeskAsks } from './storage/helpdesk-asks.js';
import { StoredOutcomeNotices } from './storage/outcome-notices.js';
import { RequestStore } from './storage/requests.js';
import type { DocumentStore } from './storage/store.js';
import { tracedStore } from './storage/traced-store.js';
import { createAdapter, createBot } from './teams/app.js';
import { CardTemplates } from './teams/cards.js';
import { PersonalChats } from './teams/conversations.js';
import { TeamsEscalationNotifier } from './teams/escalation-notifier.js';
import { TeamsHelpdeskMessenger } from './teams/helpdesk.js';
import { LiveCardIndex } from './teams/live-cards.js';
import { TeamsOutcomeMessenger } from './teams/notifications.js';
import { RecoveryFeed } from './teams/recovery-feed.js';
import { inReadersTurn } from './teams/turn.js';
import { TeamsVerificationNews } from './teams/verification.js';
import { registerVerificationRoutes } from './verification/page.js';
import { RequestServiceClient } from './verification/request-service.js';
import { VerificationSessions } from './verification/sessions.js';

/** Everything the running bot is made of, wired once: config -> Graph -> stores -> app -> HTTP. */
export interface RunningBot {
  url: string;
  port: number;
  directory: Directory;
  escalations: EscalationService;
  verifyCaller: VerifyCaller;
  /** Whether Graph answers and the store takes writes: what GET /readyz reports. */
  ready(): Promise<Readiness>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The escalation clock; tests move it to expire requests without waiting. */
  now?: () => Date;
  /** How often due requests are expired and interrupted issuing resolved; 0 turns the timer off. */
  sweepEveryMs?: number;
}

/**
 * Throws StoreUnavailableError, with a one-line reason and no secret, when a configured Azure
 * store cannot be reached: several instances must never run on stores of their own.
 */
export async function startBot(config: Config, baseLog: Logger, options: StartOptions = {}): Promise<RunningBot> {
  // Lines written during a turn carry that turn's activity and conversation id.
  const log = turnAwareLogger(baseLog);
  const store = tracedStore(createStore(config, log));
  try {
    await store.open();
  } catch (error) {
    await store.close();
    throw error;
  }
  const cards = new CardTemplates();
  const graph = new Graph({ baseUrl: config.graph.baseUrl, credential: graphCredential(config), log });
  const tenant = new TenantFacts(graph, { groupIds: config.recoveryGroupIds, mode: config.recoveryMode });
  const directory = new Directory(graph, tenant, {
    helpdeskGroupId: config.helpdeskGroupId,
    approverGroupId: config.approverGroupId,
  });
  const adapter = createAdapter(config.botAuth);
  const catalogue = defaultCatalogue();
  const installer =
    config.teamsAppCatalogId && new TeamsAppInstaller(graph, config.teamsAppCatalogId, config.graph.baseUrl);
  const personalChats = new PersonalChats(store, adapter, config.botAuth?.appId ?? '', installer || undefined);
  const liveCards = new LiveCardIndex(store);
  const sessions = new VerificationSessions(store, config.verification);
  const verification = sessions.enabled ? sessions : undefined;
  const notifier = new TeamsEscalationNotifier({ personalChats, cards, liveCards, verification });
  const mailer = config.noticeMailFrom ? new GraphMailer(graph, config.noticeMailFrom) : undefined;
  const messenger = new TeamsOutcomeMessenger({ personalChats, cards });
  const outcomes = new OutcomeNotices(
    new StoredOutcomeNotices(store),
    directory,
    messenger,
    mailer,
    log,
    options.now,
    async (record) => (await verification?.factsFor(record))?.directDelivery === true,
  );
  const requests = new RequestStore(store, log);
  const escalations = new EscalationService({
    requests,
    directory,
    notifier,
    settings: { ...config.escalation, exclusiveStore: !config.blobStorage },
    log,
    now: options.now,
    outcomes,
    callerVerification: verification,
  });
  const readinessJobs = new ReadinessJobs({
    store,
    graph,
    tenant,
    allowPrivilegedPasses: config.escalation.allowPrivilegedWithTwoApprovers,
  });
  // Against a loopback emulator the bot's own listening URL is where callers and callbacks go.
  let publicBaseUrl = config.verification.publicBaseUrl ?? '';
  // One reader of the organisation's records for the claim validation extension and caller verification alike.
  const claimsSource =
    config.recoveryExtension.claimsSource && createClaimsSource(config.recoveryExtension.claimsSource);
  const verifyCaller = new VerifyCaller({
    sessions,
    escalations,
    directory,
    requestService: new RequestServiceClient(config.verification.requestServiceUrl, requestServiceCredential(config)),
    audit: requests,
    config: config.verification,
    publicBaseUrl: () => publicBaseUrl,
    log,
    now: options.now,
    news: new TeamsVerificationNews({ escalations, messenger, log }),
    records: claimsSource && organisationRecords(claimsSource, config.recoveryExtension.requiredClaims),
  });
  const recoveryFeed = new RecoveryFeed(store, adapter, config.botAuth?.appId ?? '', cards, log);
  const claimValidation = await setUpClaimValidation(config, {
    source: claimsSource,
    store,
    graph,
    tenant,
    log,
    now: options.now,
    onAttempt: (attempt) => void recoveryFeed.post(attempt).catch(() => undefined),
  });
  const app = createBot(adapter, {
    cards,
    directory,
    catalogue,
    escalations,
    personalChats,
    liveCards,
    log,
    readinessJobs,
    verifyCaller,
    ...(claimValidation && { attempts: claimValidation.attempts, recoveryFeed }),
    askHelpdesk: new AskHelpdesk(
      new StoredHelpdeskAsks(store),
      directory,
      new TeamsHelpdeskMessenger({ personalChats, cards }),
      options.now,
    ),
    settings: {
      allowPrivilegedPasses: config.escalation.allowPrivilegedWithTwoApprovers,
      helpdeskContact: config.helpdeskContact,
    },
    ...(options.now ? { now: options.now } : {}),
  });
  const storageProblem = config.blobStorage
    ? 'Azure Storage is not reachable or not writable'
    : 'the data directory is not writable';
  const ready = () => checkReadiness(graph, store, storageProblem);
  const server = createServer({
    adapter,
    ready,
    runTurn: (context) =>
      inReadersTurn(
        context,
        () => app.run(context),
        async (tenantId, userId) => (await personalChats.reader(tenantId, userId)).timeZone,
      ).then(() => undefined),
    localMode: !config.botAuth,
    appId: config.botAuth?.appId,
    allowedTenantIds: config.allowedTenantIds,
    log,
    extraRoutes: (routes) => {
      if (sessions.enabled)
        registerVerificationRoutes(routes, verifyCaller, {
          secureCookie: (config.verification.publicBaseUrl ?? '').startsWith('https:'),
          log,
        });
      claimValidation?.register(routes);
    },
    largeBodies: [
      // A VerifiedEmployee photo may be up to 2 MB, base64url-encoded in the claims; the docs do not say whether callbacks carry it.
      ...(sessions.enabled ? [{ pathPrefix: CALLBACK_PATH, maxBytes: CALLBACK_MAX_BYTES }] : []),
      ...(claimValidation ? [claimValidation.largeBody] : []),
    ],
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const sweep = () =>
    escalations.sweep().catch((error) => log.warn({ err: (error as Error).name }, 'escalation sweep failed'));
  const sweepEveryMs = options.sweepEveryMs ?? 60_000;
  const sweeper = sweepEveryMs > 0 ? setInterval(sweep, sweepEveryMs).unref() : undefined;
  if (sweeper) void sweep();
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  if (!publicBaseUrl) publicBaseUrl = `http://${host}:${port}`;
  return {
    url: `http://${host}:${port}`,
    port,
    directory,
    escalations,
    verifyCaller,
    ready,
    close: async () => {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A keep-alive socket whose last turn has just answered would hold the close for its idle timeout.
      const closeIdle = setInterval(() => server.server.closeIdleConnections(), 100);
      await closed.finally(() => clearInterval(closeIdle));
      // Scans stop; their jobs stay resumable from the checkpoint in the store.
      await readinessJobs.shutdown();
      await store.close();
    },
  };
}

/** The embedded file store unless Azure Storage is configured. */
function createStore(config: Config, log: Logger): DocumentStore {
  const warn = (message: string) => log.warn(message);
  const blob = config.blobStorage;
  if (!blob) return new FileStore({ dataDir: config.dataDir, warn });
  if ('connectionString' in blob) return new BlobStore({ target: blob, warn });
  // The App Service's user-assigned identity; elsewhere (a developer's az login) whatever DefaultAzureCredential finds.
  const clientId = config.graph.managedIdentityClientId;
  const credential = clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
  return new BlobStore({ target: { ...blob, credential }, warn });
}

const CALLBACK_MAX_BYTES = 4 * 1024 * 1024;
const READINESS_TIMEOUT_MS = 5_000;

/** A cheap Graph read and a write to the store; each failure is named, never detailed. */
async function checkReadiness(graph: Graph, store: DocumentStore, storageProblem: string): Promise<Readiness> {
  const [graphCheck, storageCheck] = await Promise.all([
    answerWithin(
      READINESS_TIMEOUT_MS,
      graph.get('/organization?$select=id').then(
        () => 'ok',
        (error) => unknownReason(error, PERMISSIONS.subscriptions),
      ),
      'Microsoft Graph did not answer within 5 seconds',
    ),
    answerWithin(
      READINESS_TIMEOUT_MS,
      probeWritable(store).then(
        () => 'ok',
        () => storageProblem,
      ),
      storageProblem,
    ),
  ]);
  return { ready: graphCheck === 'ok' && storageCheck === 'ok', checks: { graph: graphCheck, storage: storageCheck } };
}

/** A document written and deleted again, in a collection of its own. */
async function probeWritable(store: DocumentStore): Promise<void> {
  const key = `${process.pid}-${randomUUID()}`;
  await store.create(COLLECTIONS.readinessProbes, key, { at: new Date().toISOString() });
  await store.delete(COLLECTIONS.readinessProbes, key);
}

async function answerWithin(ms: number, work: Promise<string>, lateAnswer: string): Promise<string> {
  const timer = new AbortController();
  const late = delay(ms, lateAnswer, { ref: false, signal: timer.signal }).catch(() => lateAnswer);
  try {
    return await Promise.race([work, late]);
  } finally {
    timer.abort();
  }
}

/**
 * The claim validation extension's organisation records and rules (RECOVERY_CLAIMS_SOURCE,
 * RECOVERY_REQUIRED_CLAIMS), for binding a caller's government ID credential to one account;
 * names compared at the stricter match level (exact): a government ID carries the legal names.
 */
function organisationRecords(source: ClaimsSource, requiredClaims: string[]): OrganisationRecords {
  return { check: (upn, presented) => source.check(upn, presented, { requiredClaims, matchLevel: 'exact' }) };
}
