import type { Application } from '@microsoft/teams-ai';
import { type Attachment, CardFactory, type FileConsentCardResponse, TurnContext } from 'botbuilder';
import { isLoopbackUrl } from '../config.js';
import type { Directory } from '../directory/directory.js';
import { PASS_BLOCKER_TEXT } from '../eligibility/pass-gate.js';
import { REQUIREMENTS } from '../eligibility/requirements.js';
import type { Logger } from '../log.js';
import { errorSummary } from '../log.js';
import type { ReadinessJob, ReadinessJobs, ReadinessOffer } from '../readiness/jobs.js';
import { notReadyPage, type ReadinessResults } from '../readiness/not-ready.js';
import { REQUIREMENT_IDS, type ReadinessSummary } from '../readiness/report.js';
import { type Asker, isPersonalChat, whoIsAsking } from './asker.js';
import { type AdaptiveCard, type CardTemplates, plain } from './cards.js';
import { currentReader, t } from './locale.js';
import { Refused, type Turns } from './turn.js';

/*
 * "readiness report": starts the agent's report through the ReadinessJobs use case (its state in
 * the document store, so a poll, a cancel or a file-consent accept can land on any instance),
 * keeps one progress card up to date (Refresh, Cancel), answers with a summary card, and offers
 * the CSV as a file in the agent's 1:1 chat through Teams' file consent flow. Names never go to a
 * group chat.
 */

export const READINESS_PATTERN = /^\s*(?:ssar\s+)?readiness(?:\s+report)?\s*[.!?]*\s*$/i;
const FILE_CONSENT = 'application/vnd.microsoft.teams.card.file.consent';
const FILE_INFO = 'application/vnd.microsoft.teams.card.file.info';
// OneDrive upload sessions take fragments in multiples of 320 KiB.
const UPLOAD_FRAGMENT_BYTES = 320 * 1024 * 12;

export interface ReadinessDependencies {
  directory: Directory;
  cards: CardTemplates;
  log: Logger;
  jobs: ReadinessJobs;
}

export function registerReadinessRoutes(app: Application, turns: Turns, deps: ReadinessDependencies): void {
  const { cards, log, jobs } = deps;

  app.message(READINESS_PATTERN, async (context) => {
    let asker: Asker;
    try {
      asker = await whoIsAsking(context, deps.directory);
    } catch (error) {
      // onMessage turns the failure into the right card.
      return turns.onMessage('readiness report', () => Promise.reject(error))(context);
    }
    if (!asker.isHelpdeskAgent) {
      await turns.reply(
        context,
        cards.render('notice', {
          title: t('The readiness report is for the helpdesk'),
          message: t(
            'It lists everyone in the account recovery group, so only helpdesk agents can run it. Ask your helpdesk if you need it.',
          ),
        }),
      );
      return;
    }
    const personal = isPersonalChat(context);
    const reference = TurnContext.getConversationReference(context.activity);
    // The turn's context is revoked once the turn ends: keep the adapter and the bot's identity instead.
    const adapter = context.adapter;
    const identity = context.turnState.get(adapter.BotIdentityKey);
    const inChat = (logic: (context: TurnContext) => Promise<void>) =>
      adapter.continueConversationAsync(identity, reference, logic);
    let progressId: string | undefined;
    // Updates go out one at a time, in order; a failed update is not worth stopping the scan for.
    let updates = Promise.resolve();
    const showProgress = (job: ReadinessJob) => {
      if (!progressId) return;
      const card = progressCard(cards, job);
      const id = progressId;
      updates = updates
        .then(() =>
          inChat((chat) =>
            chat
              .updateActivity({ id, type: 'message', attachments: [CardFactory.adaptiveCard(card)] })
              .then(() => undefined),
          ),
        )
        .catch((error) => log.warn({ err: errorSummary(error) }, 'could not update the readiness progress card'));
    };
    const outcome = await jobs.start(asker.id, personal, {
      beforeRun: async (job) => {
        const sent = await turns.reply(context, progressCard(cards, job));
        progressId = (sent as { id?: string } | undefined)?.id;
      },
      onProgress: showProgress,
      onFinished: async (job, summary, offer, error) => {
        if (error) log.warn({ err: errorSummary(error) }, 'readiness report failed');
        showProgress(job);
        await updates;
        if (!summary) return;
        const results = personal ? await jobs.results(job.jobId, asker.id).catch(() => undefined) : undefined;
        await inChat(async (chat) => {
          await chat.sendActivity({
            attachments: [CardFactory.adaptiveCard(summaryCard(cards, summary, personal, results, 0))],
          });
          if (offer) await chat.sendActivity({ attachments: [fileConsentCard(offer)] });
        });
      },
    });
    if ('refused' in outcome) {
      await turns.reply(
        context,
        cards.render('notice', {
          title: t('A readiness report is already running'),
          message: t('Wait for it to finish, or cancel it on its progress card.'),
        }),
      );
    }
  });

  turns.onVerb(app, 'readiness.cancel', async (_context, asker, { jobId }) => {
    const outcome = await jobs.cancel(jobId, asker.id);
    if (outcome === 'not-yours')
      throw new Refused(t('Not your report'), t('Only the agent who started a readiness report can cancel it.'));
    if (outcome === 'not-running')
      return cards.render('notice', {
        title: t('Nothing to cancel'),
        message: t('That readiness report has already finished or stopped.'),
      });
    return progressCard(cards, (await jobs.status(jobId, asker.id))!);
  });

  // Any instance answers from the store, whichever one runs the scan.
  turns.onVerb(app, 'readiness.refresh', async (_context, asker, { jobId }) => {
    const job = await jobs.status(jobId, asker.id);
    if (!job)
      return cards.render('notice', {
        title: t('No such report'),
        message: t('That readiness report is not one of yours, or it is gone: say "readiness report" to run it again.'),
      });
    return progressCard(cards, job);
  });

  // The summary card's list of who is not ready, another page; from the store, so any instance answers.
  turns.onVerb(app, 'readiness.page', async (_context, asker, { jobId, page }) => {
    const results = await jobs.results(jobId, asker.id);
    if (!results)
      throw new Refused(
        t('That list is gone'),
        t(
          'A report keeps its list of names for a working day, for the agent who ran it. Say "readiness report" to run it again.',
        ),
      );
    return summaryCard(cards, results.summary, true, results, Number.parseInt(page ?? '0', 10) || 0);
  });

  app.fileConsentAccept(async (context, _state, response) => {
    const offer = await jobs.takeOffer(offerIdOf(response), context.activity.from?.aadObjectId);
    if (!offer) {
      await context.sendActivity(t('That report is no longer available: run "readiness report" again.'));
      return;
    }
    try {
      await upload(offer.csv, response);
      await context.sendActivity({ attachments: [fileInfoCard(response)] });
    } catch (error) {
      log.warn({ err: errorSummary(error) }, 'readiness CSV upload failed');
      await context.sendActivity(
        t('I could not upload the report to your OneDrive. Run "readiness report" again in a minute.'),
      );
    }
  });

  app.fileConsentDecline(async (context, _state, response) => {
    await jobs.takeOffer(offerIdOf(response), context.activity.from?.aadObjectId);
    await context.sendActivity(t('OK, I deleted the report file without uploading it.'));
  });
}

function offerIdOf(response: FileConsentCardResponse): string {
  const offerId = (response.context as { offerId?: unknown } | undefined)?.offerId;
  return typeof offerId === 'string' && /^[0-9a-f-]{36}$/i.test(offerId) ? offerId : '';
}

/** PUTs the file to the upload session Teams created, in fragments, as OneDrive expects. */
async function upload(csv: string, response: FileConsentCardResponse): Promise<void> {
  const url = response.uploadInfo?.uploadUrl;
  // Only OneDrive over https; plain http only on loopback (the local chat and tests).
  if (!url || !(url.startsWith('https://') || isLoopbackUrl(url))) throw new Error('upload URL is not https');
  const file = Buffer.from(csv, 'utf8');
  const size = file.length;
  for (let offset = 0; offset < size || (size === 0 && offset === 0); offset += UPLOAD_FRAGMENT_BYTES) {
    const chunk = file.subarray(offset, Math.min(size, offset + UPLOAD_FRAGMENT_BYTES));
    const result = await fetch(url, {
      method: 'PUT',
      headers: {
        'Content-Length': String(chunk.length),
        'Content-Range': `bytes ${offset}-${offset + chunk.length - 1}/${size}`,
      },
      body: chunk,
    });
    if (!result.ok) throw new Error(`upload answered ${result.status}`);
    if (size === 0) break;
  }
}

function fileConsentCard(offer: ReadinessOffer): Attachment {
  const context = { offerId: offer.offerId };
  return {
    contentType: FILE_CONSENT,
    name: offer.fileName,
    content: {
      description:
        'SSAR readiness report: one row per member of the recovery group, with each requirement and the fix.',
      sizeInBytes: Buffer.byteLength(offer.csv, 'utf8'),
      acceptContext: context,
      declineContext: context,
    },
  };
}

function fileInfoCard(response: FileConsentCardResponse): Attachment {
  const info = response.uploadInfo ?? {};
  return {
    contentType: FILE_INFO,
    contentUrl: info.contentUrl,
    name: info.name,
    content: { uniqueId: info.uniqueId, fileType: info.fileType },
  };
}

const count = (n: number) => n.toLocaleString(currentReader().locale);

function progressCard(cards: CardTemplates, job: ReadinessJob): AdaptiveCard {
  const running = job.state === 'running';
  return cards.render('readiness-progress', {
    title: t('SSAR readiness report'),
    status: job.status,
    checked: count(job.progress.scanned),
    ready: count(job.progress.ready),
    notReady: count(job.progress.notReady),
    running,
    jobId: job.jobId,
  });
}

function summaryCard(
  cards: CardTemplates,
  summary: ReadinessSummary,
  personal: boolean,
  results: ReadinessResults | undefined,
  page: number,
): AdaptiveCard {
  const groups = summary.groups.map((name) => `"${plain(name, 100)}"`).join(', ') || t('none');
  const scope =
    summary.scopeSource === 'graph'
      ? t(
          "Recovery group ${groups}, from the tenant's account recovery settings. Ready means every requirement passes or only needs a look.",
          { groups },
        )
      : t(
          "Recovery group ${groups}, from the bot's configuration. Ready means every requirement passes or only needs a look.",
          { groups },
        );
  return cards.render('readiness-summary', {
    title:
      summary.notReady === 0
        ? t('All ${scanned} members are ready for account recovery', { scanned: count(summary.scanned) })
        : t('${ready} of ${scanned} members are ready for account recovery', {
            ready: count(summary.ready),
            scanned: count(summary.scanned),
          }),
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
      return parts.length > 0 ? [{ id, name: t(REQUIREMENTS[id].shortName), counts: parts.join(', ') }] : [];
    }),
    notes: summary.notes.map((line) => ({ line: plain(line) })),
    csvNote: personal
      ? t('The full list (one row per member) follows as a CSV file: accept it to save it to your OneDrive.')
      : t('The full list names people, so I only send it in your 1:1 chat with me: say "readiness report" there.'),
    ...notReadyList(results, page),
  });
}

/** Who is not ready, by fix, one page of names with their buttons; nothing when there is no list (a group chat). */
function notReadyList(results: ReadinessResults | undefined, page: number) {
  const none = {
    listHeading: '',
    groups: [],
    pageLabel: '',
    jobId: results?.jobId ?? '',
    hasPrevious: false,
    hasNext: false,
    previousPage: '0',
    nextPage: '0',
  };
  if (!results || results.members.length === 0) return none;
  const shown = notReadyPage(results, page);
  return {
    ...none,
    listHeading: t('Who is not ready, by what to fix'),
    groups: shown.groups.map((group) => ({
      heading: plain(group.heading),
      members: group.members.map((member) => ({
        id: member.id,
        name: plain(member.name, 200),
        upn: plain(member.upn, 200),
        canEscalate: member.passBlocker === undefined,
        blocked: member.passBlocker ? t(PASS_BLOCKER_TEXT[member.passBlocker]) : '',
      })),
    })),
    pageLabel:
      t('Page ${page} of ${pages}.', { page: shown.page + 1, pages: shown.pages }) +
      (results.notListed > 0
        ? ` ${t('${count} more members are not ready: they are in the CSV.', { count: count(results.notListed) })}`
        : ''),
    hasPrevious: shown.page > 0,
    hasNext: shown.page < shown.pages - 1,
    previousPage: String(shown.page - 1),
    nextPage: String(shown.page + 1),
  };
}
