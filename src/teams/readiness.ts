import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Application } from '@microsoft/teams-ai';
import { CardFactory, TurnContext, type Attachment, type ConversationReference, type FileConsentCardResponse } from 'botbuilder';
import { isLoopbackUrl } from '../config.js';
import type { Directory } from '../directory/directory.js';
import type { Logger } from '../log.js';
import { CSV_HEADER, csvLine, csvRow } from '../readiness/csv.js';
import { REQUIREMENT_IDS, type ReadinessSummary } from '../readiness/report.js';
import { ReadinessUnavailable, scanReadiness, type ReadinessProgress } from '../readiness/scan.js';
import { errorSummary } from '../log.js';
import { isPersonalChat, whoIsAsking } from './asker.js';
import { plain, type AdaptiveCard, type CardTemplates } from './cards.js';
import { currentReader, t } from './locale.js';
import { Refused, type TurnKit } from './turn.js';

/*
 * "readiness report": scans the whole recovery group in the background, keeps one progress card up
 * to date (with Cancel), answers with a summary card, and offers the CSV as a file in the agent's
 * 1:1 chat through Teams' file consent flow. Names never go to a group chat.
 */

export const READINESS_PATTERN = /^\s*(?:ssar\s+)?readiness(?:\s+report)?\s*[.!?]*\s*$/i;
const FILE_CONSENT = 'application/vnd.microsoft.teams.card.file.consent';
const FILE_INFO = 'application/vnd.microsoft.teams.card.file.info';
/** Progress card updates are spaced out: Teams rate-limits edits to one conversation. */
const PROGRESS_EVERY_MS = 3_000;
/** An offered CSV is kept this long for the agent to accept. */
const OFFER_TTL_MS = 60 * 60_000;
// OneDrive upload sessions take fragments in multiples of 320 KiB.
const UPLOAD_FRAGMENT_BYTES = 320 * 1024 * 12;

const REQUIREMENT_NAMES: Record<string, () => string> = {
  E1: () => t('Account enabled, a member'),
  E2: () => t('In a recovery group'),
  E3: () => t('Signed in before'),
  E4: () => t('First and last name set'),
  E5: () => t('No name twin in the group'),
  E6: () => t('Inside the TAP policy'),
  E7: () => t('Conditional Access lets a TAP register'),
  E8: () => t('Production mode'),
  E9: () => t('Entra ID P1/P2 licence'),
  E10: () => t('No usable method left'),
};

export interface ReadinessDependencies {
  directory: Directory;
  cards: CardTemplates;
  log: Logger;
  progressEveryMs?: number;
}

interface Job {
  agentId: string;
  controller: AbortController;
}

interface Offer {
  agentId: string;
  path: string;
  fileName: string;
  expiresAt: number;
}

export function registerReadinessRoutes(app: Application, kit: TurnKit, deps: ReadinessDependencies): void {
  const jobs = new Map<string, Job>();
  const offers = new Map<string, Offer>();
  const { cards, log } = deps;

  app.message(READINESS_PATTERN, async (context) => {
    let asker;
    try {
      asker = await whoIsAsking(context, deps.directory);
    } catch (error) {
      // The kit turns the failure into the right card.
      return kit.onMessage('readiness report', () => Promise.reject(error))(context);
    }
    if (!asker.isHelpdeskAgent) {
      await kit.reply(context, cards.render('notice', {
        title: t('The readiness report is for the helpdesk'),
        message: t('It lists everyone in the account recovery group, so only helpdesk agents can run it. Ask your helpdesk if you need it.'),
      }));
      return;
    }
    if ([...jobs.values()].some((job) => job.agentId === asker.id)) {
      await kit.reply(context, cards.render('notice', { title: t('A readiness report is already running'), message: t('Wait for it to finish, or cancel it on its progress card.') }));
      return;
    }
    const jobId = randomUUID();
    const personal = isPersonalChat(context);
    const sent = await kit.reply(context, progressCard(cards, jobId, t('Reading the recovery setup…'), undefined, true));
    const job: Job = { agentId: asker.id, controller: new AbortController() };
    jobs.set(jobId, job);
    const reference = TurnContext.getConversationReference(context.activity);
    // The turn's context is revoked once the turn ends: keep the adapter and the bot's identity instead.
    const adapter = context.adapter;
    const identity = context.turnState.get(adapter.BotIdentityKey);
    const later = (logic: (context: TurnContext) => Promise<void>) => adapter.continueConversationAsync(identity, reference, logic);
    const progressId = (sent as { id?: string } | undefined)?.id;
    void runJob({ jobId, job, personal, progressId, later, reference }).finally(() => jobs.delete(jobId));
  });

  kit.onVerb(app, 'readiness.cancel', async (_context, asker, { jobId }) => {
      const job = jobs.get(jobId);
      if (!job) return cards.render('notice', { title: t('Nothing to cancel'), message: t('That readiness report has already finished or stopped.') });
      if (job.agentId !== asker.id) throw new Refused('Not your report', 'Only the agent who started a readiness report can cancel it.');
      job.controller.abort();
      return progressCard(cards, jobId, t('Cancelling…'), undefined, false);
  });

  app.fileConsentAccept(async (context, _state, response) => {
    const offer = takeOffer(offers, response, context.activity.from?.aadObjectId);
    if (!offer) {
      await context.sendActivity('That report is no longer available: run "readiness report" again.');
      return;
    }
    try {
      await upload(offer.path, response);
      await context.sendActivity({ attachments: [fileInfoCard(response)] });
    } catch (error) {
      log.warn({ err: errorSummary(error) }, 'readiness CSV upload failed');
      await context.sendActivity('I could not upload the report to your OneDrive. Run "readiness report" again in a minute.');
    } finally {
      await rm(offer.path, { force: true });
    }
  });

  app.fileConsentDecline(async (context, _state, response) => {
    const offer = takeOffer(offers, response, context.activity.from?.aadObjectId);
    if (offer) await rm(offer.path, { force: true });
    await context.sendActivity('OK, I deleted the report file without uploading it.');
  });

  async function runJob(run: {
    jobId: string;
    job: Job;
    personal: boolean;
    progressId: string | undefined;
    later: (logic: (context: TurnContext) => Promise<void>) => Promise<void>;
    reference: Partial<ConversationReference>;
  }): Promise<void> {
    const { jobId, job, personal, progressId, later } = run;
    // Updates go out one at a time, in order; a failed update is not worth stopping the scan for.
    let updates = Promise.resolve();
    const showProgress = (status: string, progress: ReadinessProgress | undefined, running: boolean) => {
      if (!progressId) return;
      const card = progressCard(cards, jobId, status, progress, running);
      updates = updates
        .then(() => later((context) => context.updateActivity({ id: progressId, type: 'message', attachments: [CardFactory.adaptiveCard(card)] }).then(() => undefined)))
        .catch((error) => log.warn({ err: errorSummary(error) }, 'could not update the readiness progress card'));
    };
    const dir = personal ? await mkdtemp(join(tmpdir(), 'ssar-readiness-')) : undefined;
    const fileName = `ssar-readiness-${new Date().toISOString().slice(0, 10)}.csv`;
    const path = dir ? join(dir, fileName) : undefined;
    const csv = path ? createWriteStream(path, { encoding: 'utf8' }) : undefined;
    const write = async (line: string) => {
      if (csv && !csv.write(line)) await once(csv, 'drain');
    };
    let lastShown = Date.now();
    let keepFile = false;
    try {
      await write(csvLine(CSV_HEADER));
      const summary = await scanReadiness(deps.directory.graph, deps.directory.tenant, {
        signal: job.controller.signal,
        onMember: csv ? (user, eligibility) => write(csvRow(user, eligibility)) : undefined,
        onProgress: (progress) => {
          if (Date.now() - lastShown < (deps.progressEveryMs ?? PROGRESS_EVERY_MS)) return;
          lastShown = Date.now();
          showProgress(t('Checking the members of the recovery group…'), progress, true);
        },
      });
      // Nothing left to cancel: the agent may start the next report while this one is delivered.
      jobs.delete(jobId);
      const counts = { scanned: summary.scanned, ready: summary.ready, notReady: summary.notReady };
      if (summary.cancelled) {
        showProgress(t('Cancelled after ${count} members. Nothing was sent.', { count: count(summary.scanned) }), counts, false);
        return;
      }
      showProgress(t('Done.'), counts, false);
      if (csv) {
        csv.end();
        await once(csv, 'finish');
      }
      await later(async (context) => {
        await context.sendActivity({ attachments: [CardFactory.adaptiveCard(summaryCard(cards, summary, personal))] });
        if (!path || summary.scanned === 0) return;
        const offerId = randomUUID();
        offers.set(offerId, { agentId: job.agentId, path, fileName, expiresAt: Date.now() + OFFER_TTL_MS });
        keepFile = true;
        await context.sendActivity({ attachments: [fileConsentCard(fileName, (await stat(path)).size, offerId)] });
      });
    } catch (error) {
      const why = error instanceof ReadinessUnavailable ? plain(error.message) : t('the directory could not be read');
      if (!(error instanceof ReadinessUnavailable)) log.warn({ err: errorSummary(error) }, 'readiness report failed');
      showProgress(t('The report stopped: ${why}. Try again in a few minutes.', { why }), undefined, false);
    } finally {
      await updates;
      if (csv && !csv.closed) csv.destroy();
      if (dir && !keepFile) await rm(dir, { recursive: true, force: true });
      sweep(offers);
    }
  }
}

function takeOffer(offers: Map<string, Offer>, response: FileConsentCardResponse, senderId: string | undefined): Offer | undefined {
  sweep(offers);
  const offerId = (response.context as { offerId?: unknown } | undefined)?.offerId;
  const offer = typeof offerId === 'string' ? offers.get(offerId) : undefined;
  // Only the agent who ran the report may take it: the consent context alone proves nothing.
  if (!offer || offer.agentId !== senderId) return undefined;
  offers.delete(offerId as string);
  return offer;
}

function sweep(offers: Map<string, Offer>): void {
  for (const [id, offer] of offers) {
    if (offer.expiresAt > Date.now()) continue;
    offers.delete(id);
    void rm(offer.path, { force: true });
  }
}

/** PUTs the file to the upload session Teams created, in fragments, as OneDrive expects. */
async function upload(path: string, response: FileConsentCardResponse): Promise<void> {
  const url = response.uploadInfo?.uploadUrl;
  // Only OneDrive over https; plain http only on loopback (the local chat and tests).
  if (!url || !(url.startsWith('https://') || isLoopbackUrl(url))) throw new Error('upload URL is not https');
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    for (let offset = 0; offset < size || (size === 0 && offset === 0); offset += UPLOAD_FRAGMENT_BYTES) {
      const length = Math.min(UPLOAD_FRAGMENT_BYTES, size - offset);
      const chunk = Buffer.alloc(length);
      await file.read(chunk, 0, length, offset);
      const result = await fetch(url, {
        method: 'PUT',
        headers: { 'Content-Length': String(length), 'Content-Range': `bytes ${offset}-${offset + length - 1}/${size}` },
        body: chunk,
      });
      if (!result.ok) throw new Error(`upload answered ${result.status}`);
      if (size === 0) break;
    }
  } finally {
    await file.close();
  }
}

function fileConsentCard(fileName: string, sizeInBytes: number, offerId: string): Attachment {
  const context = { offerId };
  return {
    contentType: FILE_CONSENT,
    name: fileName,
    content: {
      description: 'SSAR readiness report: one row per member of the recovery group, with each requirement and the fix.',
      sizeInBytes,
      acceptContext: context,
      declineContext: context,
    },
  };
}

function fileInfoCard(response: FileConsentCardResponse): Attachment {
  const info = response.uploadInfo ?? {};
  return { contentType: FILE_INFO, contentUrl: info.contentUrl, name: info.name, content: { uniqueId: info.uniqueId, fileType: info.fileType } };
}

const count = (n: number) => n.toLocaleString(currentReader().locale);

function progressCard(cards: CardTemplates, jobId: string, status: string, progress: ReadinessProgress | undefined, running: boolean): AdaptiveCard {
  return cards.render('readiness-progress', {
    title: t('SSAR readiness report'),
    status,
    checked: count(progress?.scanned ?? 0),
    ready: count(progress?.ready ?? 0),
    notReady: count(progress?.notReady ?? 0),
    running,
    jobId,
  });
}

function summaryCard(cards: CardTemplates, summary: ReadinessSummary, personal: boolean): AdaptiveCard {
  const groups = summary.groups.map((name) => `"${plain(name, 100)}"`).join(', ') || t('none');
  const scope =
    summary.scopeSource === 'graph'
      ? t("Recovery group ${groups}, from the tenant's account recovery settings. Ready means every requirement passes or only needs a look.", { groups })
      : t("Recovery group ${groups}, from the bot's configuration. Ready means every requirement passes or only needs a look.", { groups });
  return cards.render('readiness-summary', {
    title:
      summary.notReady === 0
        ? t('All ${scanned} members are ready for account recovery', { scanned: count(summary.scanned) })
        : t('${ready} of ${scanned} members are ready for account recovery', { ready: count(summary.ready), scanned: count(summary.scanned) }),
    scope,
    members: count(summary.scanned),
    ready: count(summary.ready),
    notReady: count(summary.notReady),
    fixes: summary.topFixes.map((line) => ({ line: plain(line) })),
    requirements: REQUIREMENT_IDS.flatMap((id) => {
      const { fail, unknown, warn } = summary.byRequirement[id];
      const parts = [
        fail && t('${count} fail', { count: count(fail) }),
        unknown && t('${count} unknown', { count: count(unknown) }),
        warn && t('${count} to check', { count: count(warn) }),
      ].filter(Boolean);
      return parts.length > 0 ? [{ id, name: REQUIREMENT_NAMES[id]?.(), counts: parts.join(', ') }] : [];
    }),
    csvNote: personal
      ? t('The full list (one row per member) follows as a CSV file: accept it to save it to your OneDrive.')
      : t('The full list names people, so I only send it in your 1:1 chat with me: say "readiness report" there.'),
  });
}
