import { randomUUID } from 'node:crypto';
import type { Graph } from '../directory/graph.js';
import type { TenantFacts } from '../directory/tenant.js';
import type { EligibilityFacts } from '../eligibility/facts.js';
import { passBlocker } from '../eligibility/pass-gate.js';
import type { Eligibility } from '../eligibility/rules.js';
import { type Refusal, refusal } from '../escalation/refusal.js';
import { forMachines, say } from '../escalation/sentence.js';
import { COLLECTIONS } from '../storage/collections.js';
import { ConflictError, type DocumentStore, updateRetryingOnConflict } from '../storage/store.js';
import { metric } from '../telemetry/telemetry.js';
import { storeCheckpoint } from './checkpoint.js';
import { csvRow, csvStart } from './csv.js';
import { MAX_LISTED, type NotReadyMember, notReadyMember, type ReadinessResults } from './not-ready.js';
import type { ReadinessSummary } from './report.js';
import { type ReadinessProgress, ReadinessUnavailable, scanReadiness } from './scan.js';

/*
 * "Run a readiness report" as a use case whose state lives in the document store, so any instance
 * can answer for it: the job (who started it, how far it got, whether to stop), the one running
 * job per agent (a lock document, created atomically), and the finished CSV offered for download.
 * The scan runs on the instance that started it; a progress poll, a cancel or a file-consent
 * accept may land on any other. Shutdown stops local scans and marks them interrupted; the agent's
 * next "readiness report" resumes from the scan's checkpoint instead of starting again.
 */

/** A finished report's not-ready members, for the summary card's pages (1:1 chat reports only). */
export const RESULTS = 'readiness-results';
/** How long the summary card's list can be paged: a working day. */
export const RESULTS_TTL_MS = 8 * 60 * 60_000;
/** An offered CSV is kept this long for the agent to accept. */
export const OFFER_TTL_MS = 60 * 60_000;
/** A running job whose instance has not written for this long is taken to be gone. */
const STALE_AFTER_MS = 2 * 60_000;
/** How often a running scan writes its progress (and reads whether it was cancelled). */
const HEARTBEAT_MS = 3_000;

export type JobState = 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface ReadinessJob {
  jobId: string;
  agentId: string;
  state: JobState;
  progress: ReadinessProgress;
  /** What the agent reads on the progress card. */
  status: string;
  startedAt: string;
  updatedAt: string;
}

export interface ReadinessOffer {
  offerId: string;
  agentId: string;
  fileName: string;
  expiresAt: string;
  csv: string;
}

export type StartOutcome =
  | { started: ReadinessJob; resumed: boolean }
  /** The agent's scan that is still running (the one Refusal, with the job to show). */
  | (Refusal & { code: 'already-running'; job: ReadinessJob });

const alreadyRunning = (job: ReadinessJob) => ({
  ...refusal('already-running', say('Your readiness report is still running; its card shows the progress.')),
  code: 'already-running' as const,
  job,
});

export interface JobCallbacks {
  /** Runs once the job is recorded, before the scan starts: e.g. to send the progress card. */
  beforeRun?(job: ReadinessJob): Promise<void>;
  onProgress(job: ReadinessJob): void;
  /** The scan finished (or stopped); `offer` is set when a CSV was kept for the agent. */
  onFinished(
    job: ReadinessJob,
    summary: ReadinessSummary | undefined,
    offer: ReadinessOffer | undefined,
    error?: unknown,
  ): Promise<void>;
}

export interface ReadinessJobsOptions {
  store: DocumentStore;
  graph: Graph;
  tenant: TenantFacts;
  now?: () => number;
  heartbeatMs?: number;
  /** ALLOW_PRIVILEGED_WITH_TWO_APPROVERS: whether the list may offer Escalate for someone holding a role. */
  allowPrivilegedPasses?: boolean;
}

const count = (n: number) => n.toLocaleString('en-US');

export class ReadinessJobs {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly now: () => number;

  constructor(private readonly options: ReadinessJobsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Deletes offered CSVs nobody took within their hour, and lists past their day; runs with every start. */
  async sweepOffers(): Promise<void> {
    const { store } = this.options;
    for (const { value, etag } of await store.list<ReadinessOffer>(COLLECTIONS.readinessOffers)) {
      if (Date.parse(value.expiresAt) <= this.now())
        await store.delete(COLLECTIONS.readinessOffers, value.offerId, etag).catch(() => undefined);
    }
    for (const { value, etag } of await store.list<ReadinessResults>(RESULTS)) {
      if (Date.parse(value.expiresAt) <= this.now())
        await store.delete(RESULTS, value.jobId, etag).catch(() => undefined);
    }
  }

  /** A finished report's not-ready members, for its agent only; undefined when gone or someone else's. */
  async results(jobId: string, agentId: string): Promise<ReadinessResults | undefined> {
    const stored = await this.options.store.get<ReadinessResults>(RESULTS, jobId);
    if (!stored || stored.value.agentId !== agentId || Date.parse(stored.value.expiresAt) <= this.now())
      return undefined;
    return stored.value;
  }

  /** Starts the agent's report, resumes their interrupted one, or says one is already running. */
  async start(agentId: string, keepCsv: boolean, callbacks: JobCallbacks): Promise<StartOutcome> {
    const { store } = this.options;
    await this.sweepOffers().catch(() => undefined);
    const at = new Date(this.now()).toISOString();
    let jobId: string = randomUUID();
    let resumed = false;
    const lock = await store.get<{ jobId: string }>(COLLECTIONS.readinessAgents, agentId);
    try {
      if (!lock) {
        await store.create(COLLECTIONS.readinessAgents, agentId, { jobId });
      } else {
        const previous = (await store.get<ReadinessJob>(COLLECTIONS.readinessJobs, lock.value.jobId))?.value;
        const active = previous && (previous.state === 'running' || previous.state === 'cancelling');
        const stale = previous && this.now() - Date.parse(previous.updatedAt) >= STALE_AFTER_MS;
        if (active && !stale) return alreadyRunning(previous);
        // An interrupted scan, or one whose instance is gone, continues from its checkpoint.
        if (previous && (previous.state === 'interrupted' || active)) [jobId, resumed] = [previous.jobId, true];
        await store.replace(COLLECTIONS.readinessAgents, agentId, { jobId }, lock.etag);
      }
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Another instance started one for this agent at the same moment.
      const winner = await store.get<{ jobId: string }>(COLLECTIONS.readinessAgents, agentId);
      const job = winner && (await store.get<ReadinessJob>(COLLECTIONS.readinessJobs, winner.value.jobId));
      return alreadyRunning(
        job?.value ?? {
          jobId: winner?.value.jobId ?? jobId,
          agentId,
          state: 'running',
          progress: { scanned: 0, ready: 0, notReady: 0 },
          status: 'Starting…',
          startedAt: at,
          updatedAt: at,
        },
      );
    }
    const job: ReadinessJob = {
      jobId,
      agentId,
      state: 'running',
      progress: { scanned: 0, ready: 0, notReady: 0 },
      status: resumed ? 'Continuing where the last run stopped…' : 'Reading the recovery setup…',
      startedAt: at,
      updatedAt: at,
    };
    const existing = await store.get<ReadinessJob>(COLLECTIONS.readinessJobs, jobId);
    if (existing) await store.replace(COLLECTIONS.readinessJobs, jobId, job, existing.etag);
    else await store.create(COLLECTIONS.readinessJobs, jobId, job);
    try {
      await callbacks.beforeRun?.(job);
    } catch (error) {
      await this.update(jobId, (stored) => ({
        ...stored,
        state: 'failed',
        status: 'The report could not start.',
      })).catch(() => undefined);
      await store.delete(COLLECTIONS.readinessAgents, agentId).catch(() => undefined);
      throw error;
    }
    const controller = new AbortController();
    const done = this.run(job, keepCsv, controller, callbacks).finally(() => this.running.delete(jobId));
    done.catch(() => undefined);
    this.running.set(jobId, { controller, done });
    return { started: job, resumed };
  }

  /** The job as the store has it, for a progress poll on any instance; only its agent may see it. */
  async status(jobId: string, agentId: string): Promise<ReadinessJob | undefined> {
    const job = await this.options.store.get<ReadinessJob>(COLLECTIONS.readinessJobs, jobId);
    return job && job.value.agentId === agentId ? job.value : undefined;
  }

  /** Asks the running scan, on whichever instance, to stop. */
  async cancel(jobId: string, agentId: string): Promise<'cancelling' | 'not-running' | 'not-yours'> {
    const outcome = await updateRetryingOnConflict<ReadinessJob, Refusal>(
      this.options.store,
      COLLECTIONS.readinessJobs,
      jobId,
      (job) => {
        if (job.agentId !== agentId)
          return refusal('not-yours', forMachines('This readiness report is another agent’s.'));
        if (job.state !== 'running')
          return job.state === 'cancelling'
            ? job
            : refusal('not-running', forMachines('This readiness report is not running.'));
        return { ...job, state: 'cancelling', status: 'Cancelling…', updatedAt: new Date(this.now()).toISOString() };
      },
    );
    if (outcome.outcome === 'not-found') return 'not-running';
    if (outcome.outcome === 'refused') return outcome.refusal.code === 'not-yours' ? 'not-yours' : 'not-running';
    this.running.get(jobId)?.controller.abort();
    return 'cancelling';
  }

  /** Takes the agent's offered CSV (once); undefined when it is gone, expired or someone else's. */
  async takeOffer(offerId: string, agentId: string | undefined): Promise<ReadinessOffer | undefined> {
    const { store } = this.options;
    const stored = await store.get<ReadinessOffer>(COLLECTIONS.readinessOffers, offerId);
    // Only the agent who ran the report may take it: the consent context alone proves nothing.
    if (!stored || stored.value.agentId !== agentId) return undefined;
    try {
      await store.delete(COLLECTIONS.readinessOffers, offerId, stored.etag);
    } catch (error) {
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
    return Date.parse(stored.value.expiresAt) > this.now() ? stored.value : undefined;
  }

  /** Stops this instance's scans; their jobs stay resumable from the checkpoint. */
  async shutdown(): Promise<void> {
    const runs = [...this.running.entries()];
    await Promise.all(
      runs.map(async ([jobId, run]) => {
        await this.update(jobId, (job) =>
          job.state === 'running'
            ? {
                ...job,
                state: 'interrupted',
                status: 'The bot restarted. Say "readiness report" to continue from where it stopped.',
              }
            : job,
        ).catch(() => undefined);
        run.controller.abort();
        await run.done.catch(() => undefined);
      }),
    );
  }

  private async run(
    job: ReadinessJob,
    keepCsv: boolean,
    controller: AbortController,
    callbacks: JobCallbacks,
  ): Promise<void> {
    const { store, graph, tenant } = this.options;
    const checkpoint = storeCheckpoint(store, job.jobId);
    const rows: string[] = keepCsv ? [csvStart()] : [];
    const notReady: NotReadyMember[] = [];
    let notListed = 0;
    const keep = (user: Parameters<typeof notReadyMember>[0], eligibility: Eligibility, facts: EligibilityFacts) => {
      rows.push(csvRow(user, eligibility));
      if (eligibility.canSelfRecover) return;
      if (notReady.length >= MAX_LISTED) notListed += 1;
      else
        notReady.push(
          notReadyMember(
            user,
            eligibility,
            passBlocker(eligibility, facts.roleTemplateIds, this.options.allowPrivilegedPasses ?? false),
          ),
        );
    };
    let current = job;
    let lastWrite = 0;
    const heartbeat = async (progress: ReadinessProgress, status: string) => {
      const written = await this.update(current.jobId, (stored) =>
        stored.state === 'running' ? { ...stored, progress, status } : stored,
      ).catch(() => undefined);
      if (!written) return;
      current = written;
      if (written.state !== 'running') controller.abort();
      callbacks.onProgress(written);
    };
    // A cancel written by another instance is noticed here, even while the scan waits for Graph.
    const poll = setInterval(() => {
      void store.get<ReadinessJob>(COLLECTIONS.readinessJobs, job.jobId).then(
        (stored) => stored && stored.value.state !== 'running' && controller.abort(),
        () => undefined,
      );
    }, this.options.heartbeatMs ?? HEARTBEAT_MS);
    poll.unref();
    let summary: ReadinessSummary | undefined;
    let counted = current.progress.scanned;
    let failure: unknown;
    let finalState: JobState = 'done';
    let finalStatus = 'Done.';
    try {
      summary = await scanReadiness(graph, tenant, {
        signal: controller.signal,
        checkpoint,
        onMember: keepCsv ? keep : undefined,
        onProgress: (progress) => {
          // Members checked since the last progress, for the scan-progress metric (docs/operations.md).
          metric.readinessMembers(Math.max(0, progress.scanned - counted));
          counted = Math.max(counted, progress.scanned);
          if (this.now() - lastWrite < (this.options.heartbeatMs ?? HEARTBEAT_MS)) return;
          lastWrite = this.now();
          void heartbeat(progress, statusLine(progress));
        },
      });
      if (summary.cancelled) {
        const stored = await store.get<ReadinessJob>(COLLECTIONS.readinessJobs, job.jobId);
        const interrupted = stored?.value.state === 'interrupted';
        finalState = interrupted ? 'interrupted' : 'cancelled';
        finalStatus = interrupted
          ? stored.value.status
          : `Cancelled after ${count(summary.scanned)} members. Nothing was sent.`;
      }
    } catch (error) {
      finalState = 'failed';
      finalStatus = `The report stopped: ${error instanceof ReadinessUnavailable ? error.message : 'the directory could not be read'}. Try again in a few minutes.`;
      summary = undefined;
      if (!(error instanceof ReadinessUnavailable)) failure = error;
    } finally {
      clearInterval(poll);
      const progress = summary
        ? { scanned: summary.scanned, ready: summary.ready, notReady: summary.notReady }
        : current.progress;
      const ended = await this.update(job.jobId, (stored) => ({
        ...stored,
        state: finalState,
        status: finalStatus,
        progress,
      })).catch(() => current);
      if (finalState !== 'interrupted') {
        await checkpoint.clear().catch(() => undefined);
        await store.delete(COLLECTIONS.readinessAgents, job.agentId).catch(() => undefined);
      }
      let offer: ReadinessOffer | undefined;
      if (finalState === 'done' && keepCsv && summary && summary.scanned > 0) {
        offer = {
          offerId: randomUUID(),
          agentId: job.agentId,
          fileName: `ssar-readiness-${new Date(this.now()).toISOString().slice(0, 10)}.csv`,
          expiresAt: new Date(this.now() + OFFER_TTL_MS).toISOString(),
          csv: rows.join(''),
        };
        await store.create(COLLECTIONS.readinessOffers, offer.offerId, offer);
        const results: ReadinessResults = {
          jobId: job.jobId,
          agentId: job.agentId,
          expiresAt: new Date(this.now() + RESULTS_TTL_MS).toISOString(),
          summary,
          members: notReady,
          notListed,
        };
        const previous = await store.get<ReadinessResults>(RESULTS, job.jobId);
        if (previous) await store.replace(RESULTS, job.jobId, results, previous.etag);
        else await store.create(RESULTS, job.jobId, results);
      }
      await callbacks.onFinished(ended ?? current, finalState === 'done' ? summary : undefined, offer, failure);
    }
  }

  private async update(jobId: string, change: (job: ReadinessJob) => ReadinessJob): Promise<ReadinessJob | undefined> {
    const outcome = await updateRetryingOnConflict<ReadinessJob>(
      this.options.store,
      COLLECTIONS.readinessJobs,
      jobId,
      (job) => {
        const next = change(job);
        return next === job ? job : { ...next, updatedAt: new Date(this.now()).toISOString() };
      },
    );
    return outcome.outcome === 'updated'
      ? outcome.after.value
      : outcome.outcome === 'unchanged'
        ? outcome.current.value
        : undefined;
  }
}

/** The progress card's line: what the scan does, what it waits for, and the time left. */
export function statusLine(progress: ReadinessProgress): string {
  const parts = [`${progress.stage ?? 'Checking the members of the recovery group'}…`];
  if (progress.waitingFor) parts.push(`Now ${progress.waitingFor}.`);
  if (progress.secondsLeft !== undefined && progress.secondsLeft > 0)
    parts.push(`About ${formatDuration(progress.secondsLeft)} left.`);
  return parts.join(' ');
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}
