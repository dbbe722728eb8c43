import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { BUDGET_DESCRIPTIONS, type BudgetName } from '../directory/budget.js';
import {
  addMethods,
  BulkMemberReads,
  chooseSignInPlan,
  countPopulation,
  type FactCheckpoint,
  type MethodsEntry,
  noCheckpoint,
  REGISTRATIONS_PATH,
  type RegistrationEntry,
  readMembersOneByOne,
  readStream,
  registrationEntries,
  SIGN_IN_PAGE_SIZE,
  SIGN_INS_PATH,
  type SignInEntry,
  type SignInPlan,
  type StreamPage,
  signInEntries,
} from '../directory/bulk-reads.js';
import { assemble } from '../directory/facts.js';
import type { Graph } from '../directory/graph.js';
import { PERMISSIONS, unknownReason } from '../directory/permissions.js';
import { MEMBER_PAGE_SIZE, ownReadsOf, readPopulationFacts } from '../directory/population.js';
import { graphPath } from '../directory/query.js';
import { ALL_USERS_TARGET } from '../directory/recovery-setup.js';
import type { TenantFacts } from '../directory/tenant.js';
import type { EligibilityFacts, Fact, RecoveryScope } from '../eligibility/facts.js';
import { checkEligibility, type Eligibility } from '../eligibility/rules.js';
import { type ReadinessSummary, ReadinessTally } from './report.js';

/*
 * The Graph half of the readiness report, on the bulk endpoints and inside Graph's throttling
 * budgets (https://learn.microsoft.com/graph/throttling-limits). Request plan for a recovery group
 * of N members in a tenant of T users:
 *   tenant-wide, once:   policies, group names, the people index (ceil(T/999) pages of names, and
 *                        ceil(N/999) of recovery-member ids), role assignments, recent "Add member to
 *                        group" audits, member ids of the policy groups; two `$count`s (eventually
 *                        consistent) to choose the sign-in plan;
 *   sign-in activity:    ceil(T/500) pages of `/users?$select=id,signInActivity` (signInActivity
 *                        budget, 10 a minute: this sets the floor), or one read per member when N is
 *                        smaller than that (see chooseSignInPlan);
 *   registered methods:  ceil(T/1000) pages of the registration report (reports budget, 5 per
 *                        10 s), then one read per member missing from it (disabled accounts);
 *   members:             ceil(N/999) pages of ids (to find who is missing from the report), then
 *                        ceil(N/999) pages with the properties E1/E4 need, read beside the bulk
 *                        pages above and evaluated as soon as each member's facts are in.
 * Every request goes through the background client: paced to the budgets with a share left for
 * people in chat, any Retry-After waited out. Each bulk page is saved to the checkpoint before the
 * next is asked for, so a restart resumes where the scan stopped.
 */

export { MEMBER_PAGE_SIZE };
/** The member properties E1, E4 and E9 read (assignedLicenses: direct and group-based, against the SKUs). */
export const SCAN_SELECT =
  'id,accountEnabled,userType,externalUserState,creationType,givenName,surname,displayName,userPrincipalName,assignedLicenses';
/** The registration report's page, for the time-left estimate (the emulator's; Graph does not document it). */
const REGISTRATION_PAGE_SIZE = 1000;
/** Reads one by one go out once this many are waiting: what one reports window admits for background work. */
const FULL_BATCH = 4;
/** Members read before their sign-in or methods have come in, kept until they do (a few MiB at most). */
const MAX_WAITING_MEMBERS = 5_000;

export interface ReadinessProgress {
  scanned: number;
  ready: number;
  notReady: number;
  /** What the scan is doing, in words. */
  stage?: string;
  /** What it is waiting for, e.g. "waiting 60 s for Graph's sign-in activity limit". */
  waitingFor?: string;
  /** Estimated seconds left, from the budgets still to spend. */
  secondsLeft?: number;
}

export interface ScanOptions {
  /** Called for every member in scan order, e.g. to write a CSV row; the user is not kept after. */
  onMember?: (
    user: GraphTypes.User & { id: string },
    eligibility: Eligibility,
    facts: EligibilityFacts,
  ) => void | Promise<void>;
  onProgress?: (progress: ReadinessProgress) => void;
  signal?: AbortSignal;
  /** Where bulk pages are kept, so a restarted scan resumes; none by default. */
  checkpoint?: FactCheckpoint;
  now?: Date;
}

/** Scans every member of the recovery groups (transitively) and applies the eligibility rules to each. */
export async function scanReadiness(
  interactiveGraph: Graph,
  tenantFacts: TenantFacts,
  options: ScanOptions = {},
): Promise<ReadinessSummary> {
  const graph = interactiveGraph.background(options.signal);
  const checkpoint = options.checkpoint ?? noCheckpoint();
  const signal = options.signal;
  const policies = await tenantFacts.getPolicies();
  let scope = policies.recoveryScope;
  const tally = new ReadinessTally();
  const notes: string[] = [];
  const describe = (cancelled: boolean) => tally.summary(scopeLabel(scope), cancelled, notes);
  if (!scope.known) throw new ReadinessUnavailable(`the recovery groups are unknown: ${scope.reason}`);
  const groups = scope.value.includeGroupIds;
  // A recovery group whose hidden membership the bot cannot list would scan as empty: say so instead.
  const hidden = await tenantFacts.unreadableGroups(groups);
  if (hidden.length > 0) {
    const names = await tenantFacts.groupNames(hidden);
    throw new ReadinessUnavailable(
      `${hidden.map((id) => `"${names[id] ?? id}"`).join(', ')} hides its membership (HiddenMembership), and without Member.Read.Hidden Graph lists none of its members; needs Member.Read.Hidden`,
    );
  }

  const bulk = new BulkMemberReads();
  const [saved, population] = await Promise.all([
    checkpoint.load(),
    countPopulation(graph, membersPath(groups[0]!, 'id')),
  ]);
  // The rest of the tenant-wide facts come in while the budgets are spent on the bulk pages.
  const tenantWide = readPopulationFacts(graph, tenantFacts, options.now ?? new Date());
  tenantWide.catch(() => undefined);
  const plan = chooseSignInPlan(
    population.tenantUsers ?? Number.MAX_SAFE_INTEGER,
    population.members ?? Number.MAX_SAFE_INTEGER,
  );
  notes.push(planNote(plan, population));

  let stage = 'Reading sign-in activity and registered methods';
  let waiting: { budget: BudgetName; until: number } | undefined;
  const clock = graph.budget.clock;
  const stopListening = graph.budget.onWait((budget, ms) => {
    waiting = { budget, until: clock.now() + ms };
    report();
  });
  const secondsLeft = () => {
    const signInsLeft =
      plan.kind === 'tenant'
        ? Math.max(0, plan.requests - bulk.signInPagesRead)
        : Math.max(0, plan.requests - bulk.signIns.size);
    const registrationPages = Math.ceil((population.tenantUsers ?? 0) / REGISTRATION_PAGE_SIZE);
    const reportsLeft = Math.max(0, registrationPages - bulk.registrationPagesRead);
    const ms = Math.max(
      signInsLeft / graph.budget.backgroundRate('signInActivity'),
      reportsLeft / graph.budget.backgroundRate('reports'),
    );
    return Math.ceil(ms / 1000);
  };
  function report(): void {
    const wait =
      waiting && waiting.until > clock.now()
        ? `waiting ${Math.ceil((waiting.until - clock.now()) / 1000)} s for ${BUDGET_DESCRIPTIONS[waiting.budget]}`
        : undefined;
    options.onProgress?.({
      scanned: tally.count,
      ready: tally.readyCount,
      notReady: tally.count - tally.readyCount,
      stage,
      ...(wait && { waitingFor: wait }),
      secondsLeft: secondsLeft(),
    });
  }

  const signInIndex = { methods: saved.methods?.length ?? 0, signIns: saved.signIns?.length ?? 0 };
  const branches: Promise<unknown>[] = [tenantWide];
  const changes = new Changes();
  for (const page of (saved.methods ?? []) as StreamPage<MethodsEntry>[]) addMethods(bulk, page.entries);
  try {
    const signIns =
      plan.kind === 'tenant'
        ? readStream<SignInEntry>(
            graph,
            'signIns',
            SIGN_INS_PATH,
            (saved.signIns ?? []) as StreamPage<SignInEntry>[],
            checkpoint,
            (entries) => {
              for (const [id, at] of entries) bulk.signIns.set(id, at);
              bulk.signInPagesRead += 1;
              changes.notify();
              report();
            },
            signInEntries,
            signal,
          ).catch((error) => {
            if (isAbort(error)) throw error;
            bulk.signInFailure = unknownReason(error, PERMISSIONS.signInActivity);
          })
        : Promise.resolve(
            ((saved.signIns ?? []) as StreamPage<SignInEntry>[]).forEach((page) =>
              page.entries.forEach(([id, at]) => bulk.signIns.set(id, at)),
            ),
          );
    const registrations = readStream<RegistrationEntry>(
      graph,
      'registrations',
      REGISTRATIONS_PATH,
      (saved.registrations ?? []) as StreamPage<RegistrationEntry>[],
      checkpoint,
      (entries) => {
        for (const [id, methods] of entries) bulk.addRegistration(id, methods);
        bulk.registrationPagesRead += 1;
        changes.notify();
        report();
      },
      registrationEntries,
      signal,
    ).catch((error) => {
      if (isAbort(error)) throw error;
      bulk.registrationFailure = unknownReason(error, PERMISSIONS.auditLogs);
    });
    // Members missing from the report (and, per member, their sign-ins) are read while the
    // tenant-wide sign-in pages, the slowest budget, are still coming in. Disabled accounts are
    // never in the report, so they are read at once, beside its pages, in full batches.
    const perMember = plan.kind === 'per-member';
    const oneByOne = (async () => {
      const disabled: string[] = [];
      const enabled: string[] = [];
      // Disabled accounts are missing from the registration report: their methods are read one by one.
      const readDisabled = (ids: string[]) =>
        readMembersOneByOne(graph, ids, { methods: true, signIns: perMember }, bulk, checkpoint, signInIndex, signal);
      for (const groupId of groups) {
        for await (const page of graph.pages<{ id: string; accountEnabled?: boolean }>(
          membersPath(groupId, 'id,accountEnabled'),
        )) {
          for (const user of page) (user.accountEnabled === false ? disabled : perMember ? enabled : []).push(user.id);
          if (disabled.length >= FULL_BATCH) await readDisabled(disabled.splice(0));
        }
      }
      await readDisabled(disabled);
      await readMembersOneByOne(
        graph,
        enabled,
        { methods: false, signIns: true },
        bulk,
        checkpoint,
        signInIndex,
        signal,
      );
      report();
      await registrations;
      // Anyone else the snapshot did not have yet (added since it was taken).
      for (const groupId of groups) {
        for await (const page of graph.pages<{ id: string }>(membersPath(groupId, 'id'))) {
          await readMembersOneByOne(
            graph,
            page.map((user) => user.id),
            { methods: !bulk.registrationFailure, signIns: perMember },
            bulk,
            checkpoint,
            signInIndex,
            signal,
          );
        }
      }
      report();
    })();
    branches.push(signIns, registrations, oneByOne);
    for (const branch of branches) branch.catch(() => undefined);
    let signInsDone = false;
    let methodsDone = false;
    // With the per-member plan the sign-ins are read one by one, beside the methods.
    const signInsSettled = () => {
      if (!perMember) signInsDone = true;
      changes.notify();
    };
    const methodsSettled = () => {
      methodsDone = true;
      if (perMember) signInsDone = true;
      changes.notify();
    };
    signIns.then(signInsSettled, signInsSettled);
    oneByOne.then(methodsSettled, methodsSettled);
    const everything = abortable(Promise.all([tenantWide, signIns, oneByOne]), signal);
    everything.catch(() => undefined);
    const tenant = await abortable(tenantWide, signal);
    scope = tenant.wide.policies.recoveryScope;

    // Members are evaluated while the sign-in pages still come in: a member whose sign-in and
    // methods are both known is checked at once, the others wait (a bounded number of them) for
    // the page or the read that completes them. The budgets, not this loop, set the pace.
    const ready = (userId: string) =>
      (signInsDone || bulk.signIns.has(userId)) && (methodsDone || !bulk.needsOwnMethodsRead(userId));
    let deferred: Array<{ user: GraphTypes.User & { id: string }; groupId: string }> = [];
    const evaluate = async (user: GraphTypes.User & { id: string }, groupId: string) => {
      const facts = assemble(
        tenant.wide,
        ownReadsOf(tenant, user, groupId, {
          lastSuccessfulSignIn: bulk.signInOf(user.id),
          authenticationMethods: bulk.methodsOf(user.id),
        }),
      );
      const eligibility = checkEligibility(facts);
      tally.add(eligibility);
      await options.onMember?.(user, eligibility, facts);
    };
    const flush = async () => {
      const waiting = deferred;
      deferred = [];
      for (const entry of waiting) {
        if (ready(entry.user.id)) await evaluate(entry.user, entry.groupId);
        else deferred.push(entry);
      }
    };
    const untilChange = () => Promise.race([changes.next(), everything.then(() => undefined)]);
    stage = 'Checking the members of the recovery group';
    // With several recovery groups a member may be listed by more than one; with one, no set is needed.
    const seen = groups.length > 1 ? new Set<string>() : undefined;
    for (const groupId of groups) {
      for await (const page of graph.pages<GraphTypes.User & { id: string }>(membersPath(groupId, SCAN_SELECT))) {
        signal?.throwIfAborted();
        const fresh = seen ? page.filter((user) => !seen.has(user.id) && seen.add(user.id)) : page;
        for (const user of fresh) {
          if (ready(user.id)) await evaluate(user, groupId);
          else deferred.push({ user, groupId });
        }
        await flush();
        while (deferred.length >= MAX_WAITING_MEMBERS && !(signInsDone && methodsDone)) {
          await untilChange();
          await flush();
        }
        report();
      }
    }
    await everything;
    await flush();
    notes.push(registrationNote(bulk));
    waiting = undefined;
    report();
    return describe(false);
  } catch (error) {
    if (!isAbort(error)) throw error;
    // Stopped cleanly: nothing keeps reading or writing the checkpoint after the scan returns.
    await Promise.allSettled(branches);
    return describe(true);
  } finally {
    stopListening();
  }
}

/** Wakes whoever waits for the next bulk page or finished read. */
class Changes {
  private waiters: Array<() => void> = [];
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'AbortError';
}

/** Settles when the work does, or rejects at once when the signal aborts; the work finishes quietly. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function planNote(plan: SignInPlan, population: { tenantUsers?: number; members?: number }): string {
  const n = (value: number | undefined) =>
    value === undefined ? 'an unknown number of' : value.toLocaleString('en-US');
  return plan.kind === 'tenant'
    ? `Sign-in activity was read for the whole tenant (${n(population.tenantUsers)} users) in ${plan.requests.toLocaleString('en-US')} pages of ${SIGN_IN_PAGE_SIZE}: fewer of Graph's 10 sign-in activity requests a minute than reading ${n(population.members)} members one by one.`
    : `Sign-in activity was read member by member (${plan.requests.toLocaleString('en-US')} reads): fewer than paging through the whole tenant (${n(population.tenantUsers)} users).`;
}

function registrationNote(bulk: BulkMemberReads): string {
  if (bulk.registrationFailure)
    return `Registered methods (E10) could not be read from the registration report (${bulk.registrationFailure}).`;
  const oneByOne = bulk.methods.size;
  return `Registered methods (E10) come from Graph's authentication methods registration report, a periodic snapshot that leaves out disabled accounts; ${oneByOne.toLocaleString('en-US')} ${oneByOne === 1 ? 'member' : 'members'} not in it ${oneByOne === 1 ? 'was' : 'were'} read one by one.`;
}

/** The report cannot run at all (no recovery group known); the message says why. */
export class ReadinessUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadinessUnavailable';
  }
}

function membersPath(groupId: string, select: string): string {
  const query = { $select: select, $top: MEMBER_PAGE_SIZE };
  return groupId === ALL_USERS_TARGET
    ? graphPath('/users', query)
    : graphPath(`/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`, query);
}

function scopeLabel(scope: Fact<RecoveryScope>): { groups: string[]; source?: RecoveryScope['source'] } {
  if (!scope.known) return { groups: [] };
  return {
    groups: scope.value.includeGroupIds.map((id) => scope.value.groupNames[id] ?? id),
    source: scope.value.source,
  };
}
