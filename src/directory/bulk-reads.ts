import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { type Fact, known, unknownFact } from '../eligibility/facts.js';
import { batchFact, batchList } from './batch-facts.js';
import type { BudgetName } from './budget.js';
import type { BatchRequest, Graph } from './graph.js';
import { PERMISSIONS } from './permissions.js';
import { graphPath } from './query.js';

/*
 * The per-group form of the eligibility fact source: the facts each member needs for E3 and E10,
 * read for a whole population from the few bulk endpoints Graph offers, inside its throttling
 * budgets (https://learn.microsoft.com/graph/throttling-limits):
 *
 *   sign-in activity   `/users?$select=id,signInActivity&$top=500` over the whole tenant
 *                      (10 requests a minute; 500 a page with signInActivity, list-users v1.0),
 *                      or `/users/{id}?$select=id,signInActivity` per member when the group is a
 *                      small part of a large tenant: whichever needs fewer signInActivity requests;
 *   registered methods `/reports/authenticationMethods/userRegistrationDetails` (AuditLog.Read.All,
 *                      P1; reports budget, 5 per 10 s): a periodic snapshot without disabled users,
 *                      so members missing from it are read one by one
 *                      (`/users/{id}/authentication/methods`, as authentication-list-methods
 *                      recommends the report for whole populations).
 *
 * Each page read is handed to a checkpoint before the next is asked for, so a restarted scan
 * continues where it stopped instead of spending the budget again.
 */

export const SIGN_IN_PAGE_SIZE = 500;
/** A $batch item counts against its budget: background batches hold what one window admits. */
const METHODS_PER_BATCH = 4;
const SIGN_INS_PER_BATCH = 9;

export type StreamName = 'signIns' | 'registrations' | 'methods';

/** Compact page entries: [userId, value]. */
export type SignInEntry = [string, string | null];
export type RegistrationEntry = [string, string[]];
export type MethodsEntry = [string, GraphTypes.AuthenticationMethod[] | { unknown: string }];

export interface StreamPage<E> {
  entries: E[];
  /** Where the next page is; absent on the last one. */
  nextLink?: string;
}

/** Where pages are kept between restarts; `load` gives back every page saved, in order. */
export interface FactCheckpoint {
  load(): Promise<{ [S in StreamName]?: StreamPage<unknown>[] }>;
  save(stream: StreamName, index: number, page: StreamPage<unknown>): Promise<void>;
}

export const noCheckpoint = (): FactCheckpoint => ({ load: async () => ({}), save: async () => undefined });

export type SignInPlan = { kind: 'tenant'; requests: number } | { kind: 'per-member'; requests: number };

/**
 * Tenant-wide pages cost ceil(T/500) signInActivity requests; reading members one by one costs N.
 * The counts come from `$count` with `ConsistencyLevel: eventual` (Graph's advanced queries: the
 * index may lag recent changes by minutes), which is close enough to choose.
 */
export function chooseSignInPlan(tenantUsers: number, members: number): SignInPlan {
  const tenantPages = Math.max(1, Math.ceil(tenantUsers / SIGN_IN_PAGE_SIZE));
  return members < tenantPages ? { kind: 'per-member', requests: members } : { kind: 'tenant', requests: tenantPages };
}

/** What the bulk reads gathered, per user id. */
export class BulkMemberReads {
  readonly signIns = new Map<string, string | null>();
  /** userId -> methodsRegistered, shared arrays for equal combinations. */
  readonly registrations = new Map<string, string[]>();
  readonly methods = new Map<string, Fact<GraphTypes.AuthenticationMethod[]>>();
  signInFailure?: string;
  registrationFailure?: string;
  signInPagesRead = 0;
  registrationPagesRead = 0;
  private readonly combinations = new Map<string, string[]>();

  addRegistration(userId: string, methods: string[]): void {
    const key = methods.join(',');
    let shared = this.combinations.get(key);
    if (!shared) this.combinations.set(key, (shared = methods));
    this.registrations.set(userId, shared);
  }

  /** A member's sign-in fact, or unknown with the reason. */
  signInOf(userId: string): Fact<string | null> {
    if (this.signIns.has(userId)) return known(this.signIns.get(userId) ?? null);
    return unknownFact(this.signInFailure ?? 'Microsoft Graph did not list this user with their sign-in activity');
  }

  /** A member's methods: from the registration report, else from a read of their own. */
  methodsOf(userId: string): Fact<GraphTypes.AuthenticationMethod[]> {
    const own = this.methods.get(userId);
    if (own) return own;
    const registered = this.registrations.get(userId);
    if (registered)
      return known(
        registered
          .flatMap((name) => METHOD_TYPES[name] ?? [])
          .map((type) => ({ '@odata.type': type }) as GraphTypes.AuthenticationMethod),
      );
    return unknownFact(this.registrationFailure ?? 'not in the authentication methods registration report');
  }

  needsOwnMethodsRead(userId: string): boolean {
    return !this.methods.has(userId) && !this.registrations.has(userId);
  }
}

/**
 * `methodsRegistered` values (userRegistrationDetails) as the method types the E10 rule reads. A
 * registered Temporary Access Pass says nothing about whether it is still usable, so it is left
 * out, as the rule leaves out a spent pass; a password is not listed by the report at all.
 */
const METHOD_TYPES: Record<string, string[]> = {
  microsoftAuthenticatorPush: ['#microsoft.graph.microsoftAuthenticatorAuthenticationMethod'],
  microsoftAuthenticatorPasswordless: ['#microsoft.graph.microsoftAuthenticatorAuthenticationMethod'],
  fido2: ['#microsoft.graph.fido2AuthenticationMethod'],
  passKeyDeviceBound: ['#microsoft.graph.fido2AuthenticationMethod'],
  passKeyDeviceBoundAuthenticator: ['#microsoft.graph.fido2AuthenticationMethod'],
  passKeyDeviceBoundWindowsHello: ['#microsoft.graph.fido2AuthenticationMethod'],
  windowsHelloForBusiness: ['#microsoft.graph.windowsHelloForBusinessAuthenticationMethod'],
  mobilePhone: ['#microsoft.graph.phoneAuthenticationMethod'],
  alternateMobilePhone: ['#microsoft.graph.phoneAuthenticationMethod'],
  officePhone: ['#microsoft.graph.phoneAuthenticationMethod'],
  softwareOneTimePasscode: ['#microsoft.graph.softwareOathAuthenticationMethod'],
  appCode: ['#microsoft.graph.softwareOathAuthenticationMethod'],
  hardwareOneTimePasscode: ['#microsoft.graph.hardwareOathAuthenticationMethod'],
  email: ['#microsoft.graph.emailAuthenticationMethod'],
  macOsSecureEnclaveKey: ['#microsoft.graph.platformCredentialAuthenticationMethod'],
};

/** Users in the tenant and members of a group, as `$count` gives them (eventually consistent). */
export async function countPopulation(
  graph: Graph,
  membersPath: string,
): Promise<{ tenantUsers?: number; members?: number }> {
  const eventual = { ConsistencyLevel: 'eventual' };
  const count = (path: string) =>
    graph.get<{ '@odata.count'?: number }>(graphPath(path, { $count: 'true', $top: 1, $select: 'id' }), eventual).then(
      (body) => body['@odata.count'],
      () => undefined,
    );
  const [tenantUsers, members] = await Promise.all([count('/users'), count(membersPath)]);
  return { tenantUsers, members };
}

/** Resumes (or starts) one paged stream, saving each page before asking for the next. */
export async function readStream<E>(
  graph: Graph,
  stream: StreamName,
  firstPath: string,
  saved: StreamPage<E>[],
  checkpoint: FactCheckpoint,
  onPage: (entries: E[]) => void,
  toEntries: (items: any[]) => E[],
  signal?: AbortSignal,
): Promise<void> {
  for (const page of saved) onPage(page.entries);
  let next: string | undefined = saved.length === 0 ? firstPath : saved.at(-1)!.nextLink;
  for (let index = saved.length; next; index++) {
    signal?.throwIfAborted();
    const body: { value?: any[]; '@odata.nextLink'?: string } = await graph.get(next);
    const page: StreamPage<E> = {
      entries: toEntries(body.value ?? []),
      ...(body['@odata.nextLink'] ? { nextLink: body['@odata.nextLink'] } : {}),
    };
    await checkpoint.save(stream, index, page);
    onPage(page.entries);
    next = page.nextLink;
  }
}

export const signInEntries = (users: GraphTypes.User[]): SignInEntry[] =>
  users.flatMap((user) =>
    user.id ? [[user.id, user.signInActivity?.lastSuccessfulSignInDateTime ?? null] as SignInEntry] : [],
  );

export const registrationEntries = (rows: GraphTypes.UserRegistrationDetails[]): RegistrationEntry[] =>
  rows.flatMap((row) => (row.id ? [[row.id, (row.methodsRegistered ?? []) as string[]] as RegistrationEntry] : []));

export const SIGN_INS_PATH = graphPath('/users', { $select: 'id,signInActivity', $top: SIGN_IN_PAGE_SIZE });
export const REGISTRATIONS_PATH = '/reports/authenticationMethods/userRegistrationDetails';

/**
 * Reads, one by one in small `$batch`es, what the bulk sources did not give: the methods of
 * members missing from the registration report and, with the per-member plan, sign-in activity.
 * Each batch's results are saved before the next is sent.
 */
export async function readMembersOneByOne(
  graph: Graph,
  userIds: string[],
  what: { methods: boolean; signIns: boolean },
  bulk: BulkMemberReads,
  checkpoint: FactCheckpoint,
  nextIndex: { methods: number; signIns: number },
  signal?: AbortSignal,
): Promise<void> {
  const reads: Array<{ userId: string; budget: BudgetName }> = userIds.flatMap((userId) => [
    ...(what.methods && bulk.needsOwnMethodsRead(userId) ? [{ userId, budget: 'reports' as const }] : []),
    ...(what.signIns && !bulk.signIns.has(userId) ? [{ userId, budget: 'signInActivity' as const }] : []),
  ]);
  for (const budget of ['reports', 'signInActivity'] as const) {
    const ids = reads.filter((read) => read.budget === budget).map((read) => read.userId);
    const size = budget === 'reports' ? METHODS_PER_BATCH : SIGN_INS_PER_BATCH;
    for (let i = 0; i < ids.length; i += size) {
      signal?.throwIfAborted();
      const chunk = ids.slice(i, i + size);
      const requests: BatchRequest[] = chunk.map((userId, index) => ({
        id: String(index),
        method: 'GET',
        url:
          budget === 'reports'
            ? `/users/${encodeURIComponent(userId)}/authentication/methods`
            : graphPath(`/users/${encodeURIComponent(userId)}`, { $select: 'id,signInActivity' }),
      }));
      const results = await graph.batch(requests);
      if (budget === 'reports') {
        const entries: MethodsEntry[] = await Promise.all(
          chunk.map(async (userId, index): Promise<MethodsEntry> => {
            const fact = await batchList<GraphTypes.AuthenticationMethod>(
              graph,
              results.get(String(index)),
              PERMISSIONS.authenticationMethods,
            );
            return [userId, fact.known ? fact.value : { unknown: fact.reason }];
          }),
        );
        await checkpoint.save('methods', nextIndex.methods++, { entries });
        addMethods(bulk, entries);
      } else {
        const entries: SignInEntry[] = [];
        chunk.forEach((userId, index) => {
          const fact = batchFact(
            results.get(String(index)),
            PERMISSIONS.signInActivity,
            (body) => body.signInActivity?.lastSuccessfulSignInDateTime ?? null,
          );
          if (fact.known) entries.push([userId, fact.value]);
          else bulk.signInFailure ??= fact.reason;
        });
        await checkpoint.save('signIns', nextIndex.signIns++, { entries });
        for (const [userId, at] of entries) bulk.signIns.set(userId, at);
      }
    }
  }
}

export function addMethods(bulk: BulkMemberReads, entries: MethodsEntry[]): void {
  for (const [userId, value] of entries)
    bulk.methods.set(userId, Array.isArray(value) ? known(value) : unknownFact(value.unknown));
}
