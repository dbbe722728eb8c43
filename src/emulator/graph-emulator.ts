import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import { isObjectId } from '../object-id.js';
import {
  applySelect,
  decodeSkipToken,
  encodeSkipToken,
  type FilterExpression,
  matchesFilter,
  matchesSearch,
  ODataQueryError,
  parseFilter,
  parseSearch,
  parseSelect,
  parseTop,
  refuseUnimplementedOptions,
  selectInBody,
  usesAdvancedOperators,
} from './odata.js';
import {
  resolveRelativeTimestamps,
  type TeamsCatalogApp,
  type TenantFixture,
  type TenantGroup,
  type TenantUser,
} from './tenant.js';
import { type BudgetLimits, type BudgetName, ThrottlingBudgets } from './throttling.js';

/**
 * The application permissions each Graph call of the bot needs; any one permission of `anyOf`
 * suffices (least privileged first). `denyPermission` on the emulator withdraws one.
 */
export const GRAPH_PERMISSIONS = {
  users: {
    anyOf: ['User.Read.All'],
    endpoints: ['GET /users', 'GET /users/{id | userPrincipalName}', 'GET /users/{id}/licenseDetails'],
  },
  signInActivity: { anyOf: ['AuditLog.Read.All'], endpoints: ['GET /users/{id}?$select=signInActivity'] },
  groupMembership: {
    anyOf: ['GroupMember.Read.All'],
    endpoints: [
      'GET /groups/{id}',
      'GET /groups/{id}/members',
      'GET /groups/{id}/transitiveMembers/microsoft.graph.user',
      'GET /users/{id}/memberOf/microsoft.graph.group',
      'GET /users/{id}/transitiveMemberOf/microsoft.graph.group',
      'POST /users/{id}/checkMemberGroups',
    ],
  },
  manager: { anyOf: ['User.Read.All'], endpoints: ['GET /users/{id}/manager'] },
  // "To list members of a hidden group, the Member.Read.Hidden permission is also required."
  // https://learn.microsoft.com/powershell/module/microsoft.entra.groups/get-entragroupmember
  hiddenMembership: {
    anyOf: ['Member.Read.Hidden'],
    endpoints: [
      'GET /groups/{id}/members (visibility HiddenMembership)',
      'GET /groups/{id}/transitiveMembers (visibility HiddenMembership)',
    ],
  },
  authenticationMethods: {
    anyOf: ['UserAuthenticationMethod.Read.All'],
    endpoints: ['GET /users/{id}/authentication/methods', 'GET /users/{id}/authentication/temporaryAccessPassMethods'],
  },
  temporaryAccessPassWrite: {
    anyOf: ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'],
    endpoints: [
      'POST /users/{id}/authentication/temporaryAccessPassMethods',
      'DELETE /users/{id}/authentication/temporaryAccessPassMethods/{methodId}',
    ],
  },
  authenticationMethodPolicies: {
    anyOf: ['Policy.Read.AuthenticationMethod'],
    endpoints: [
      'GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass',
      'GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/VerifiableCredentials',
      // https://learn.microsoft.com/graph/api/fido2authenticationmethodconfiguration-get (passkeys, E11)
      'GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2',
    ],
  },
  conditionalAccess: {
    anyOf: ['Policy.Read.All'],
    endpoints: ['GET /identity/conditionalAccess/policies', 'GET /identity/conditionalAccess/namedLocations'],
  },
  verifiedIdProfiles: { anyOf: ['VerifiedId-Profile.Read.All'], endpoints: ['GET /identity/verifiedId/profiles'] },
  roleAssignments: {
    anyOf: ['RoleManagement.Read.Directory'],
    endpoints: ['GET /roleManagement/directory/roleAssignments', 'GET /roleManagement/directory/roleDefinitions'],
  },
  // https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityscheduleinstances
  roleEligibility: {
    anyOf: ['RoleEligibilitySchedule.Read.Directory', 'RoleManagement.Read.Directory'],
    endpoints: ['GET /roleManagement/directory/roleEligibilityScheduleInstances'],
  },
  directoryAudits: {
    anyOf: ['AuditLog.Read.All'],
    endpoints: ['GET /auditLogs/directoryAudits', 'GET /reports/authenticationMethods/userRegistrationDetails'],
  },
  organization: {
    anyOf: ['Organization.Read.All', 'Directory.Read.All'],
    endpoints: ['GET /subscribedSkus', 'GET /organization'],
  },
  // https://learn.microsoft.com/graph/api/user-sendmail (application permission Mail.Send). Entra's
  // grant, unscoped; Exchange's RBAC for Applications is the other, scoped way (assignMailSendRole).
  sendMail: { anyOf: ['Mail.Send'], endpoints: ['POST /users/{id | userPrincipalName}/sendMail'] },
  // https://learn.microsoft.com/graph/api/userteamwork-post-installedapps (application permissions, least privileged first)
  teamsAppInstall: {
    anyOf: ['TeamsAppInstallation.ReadWriteSelfForUser.All', 'TeamsAppInstallation.ReadWriteForUser.All'],
    endpoints: ['POST /users/{id}/teamwork/installedApps'],
  },
  // https://learn.microsoft.com/graph/api/userteamwork-list-installedapps, .../userscopeteamsappinstallation-get-chat
  teamsAppRead: {
    anyOf: [
      'TeamsAppInstallation.ReadForUser.All',
      'TeamsAppInstallation.ReadWriteSelfForUser.All',
      'TeamsAppInstallation.ReadWriteForUser.All',
    ],
    endpoints: [
      'GET /users/{id}/teamwork/installedApps',
      'GET /users/{id}/teamwork/installedApps/{installationId}/chat',
    ],
  },
} as const satisfies Record<string, { anyOf: readonly string[]; endpoints: readonly string[] }>;

export type GraphPermissionArea = keyof typeof GRAPH_PERMISSIONS;

export interface RecordedRequest {
  method: string;
  /** Path and query relative to `/v1.0`, percent-decoded, e.g. `/users/abc?$select=id`. */
  path: string;
  /** True for a request carried inside a `$batch`. */
  inBatch: boolean;
  status: number;
  /** Epoch milliseconds (sub-millisecond precision) of the real clock, for counting round-trip waves. */
  startedAt: number;
  endedAt: number;
}

export interface FaultMatch {
  method?: string;
  /** Tested against the decoded path and query relative to `/v1.0`, as in `RecordedRequest.path`. */
  path: RegExp;
}

export interface Fault {
  status: 429 | 500 | 503 | 504;
  retryAfterSeconds?: number;
}

export interface GraphEmulatorOptions {
  tenant: TenantFixture;
  /** 0 or absent: an ephemeral port. */
  port?: number;
  latencyMs?: number;
  now?: () => Date;
  /**
   * Told every pass the tenant hands out, as the real tenant knows it too: the test suite scans
   * logs, stores and other conversations for these values. The emulator keeps none of them.
   */
  onPassIssued?: (pass: string) => void;
  /**
   * Enforce Graph's documented throttling budgets (src/emulator/throttling.ts) on this clock; off
   * when absent, for suites that are not about cost. A scaled clock lets a test or the benchmark
   * run minutes of budget in moments.
   */
  budgets?: { clock: Clock; limits?: Partial<BudgetLimits> };
}

export interface GraphEmulator {
  /** e.g. `http://127.0.0.1:1234/v1.0` */
  readonly baseUrl: string;
  /** The live directory; tests may change it between requests. */
  readonly tenant: TenantFixture;
  readonly requests: RecordedRequest[];
  resetRequests(): void;
  setLatency(ms: number): void;
  failNext(match: FaultMatch, fault: Fault, times?: number): void;
  /**
   * Changes the tenant just before the next matching request is served: what an administrator does
   * between the bot's last read and its write, a race a real tenant allows.
   */
  changeBeforeNext(match: FaultMatch, change: (tenant: TenantFixture) => void): void;
  denyPermission(permission: string): void;
  grantAllPermissions(): void;
  /** Every TAP created so far; never the pass itself. */
  issuedTaps(): { userId: string; createdAt: string }[];
  /** Adds a direct member and writes the "Add member to group" audit event Entra would write. */
  addGroupMember(groupId: string, memberId: string): void;
  /** Changes a user's sign-in name and writes the "Update user" audit event Entra would write. */
  renameUser(userId: string, userPrincipalName: string): void;
  /** What the budgets counted and refused so far; undefined when budgets are off. */
  budgetUsage(): { charged: Record<BudgetName, number>; throttled: Record<BudgetName, number> } | undefined;
  /** Every message accepted by `sendMail`, with the mailbox it was sent from. */
  sentMail(): { senderId: string; message: Record<string, any> }[];
  /**
   * Exchange Online RBAC for Applications: the management role "Application Mail.Send" assigned to
   * the bot's service principal with a management scope holding these mailboxes; undefined removes
   * the assignment. It is independent of Entra's Mail.Send (see `sendMail`).
   * https://learn.microsoft.com/exchange/permissions-exo/application-rbac
   */
  assignMailSendRole(mailboxUserIds: string[] | undefined): void;
  close(): Promise<void>;
}

interface EmulatedRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  /** Set by the code that evaluated `$filter`: a collection that did not is refused (see collection). */
  filterApplied?: boolean;
  /** False for a directory-object query without `ConsistencyLevel: eventual`, where `$count` is not honoured. */
  countable?: boolean;
  /** Set by the one endpoint that honours `$expand`; anywhere else it is refused (see route). */
  expandApplied?: boolean;
}

interface EmulatedResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const resourceNotFound = (key: string) =>
  new GraphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
  );
const segmentNotFound = (segment: string) =>
  new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
const methodNotAllowed = () =>
  new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');

const FAULT_ERRORS: Record<Fault['status'], { code: string; message: string }> = {
  429: {
    code: 'TooManyRequests',
    message: 'Too many requests. Please retry after the time given in the Retry-After header.',
  },
  500: { code: 'InternalServerError', message: 'An internal server error occurred.' },
  503: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please retry.' },
  504: { code: 'GatewayTimeout', message: 'The gateway timed out waiting for the service.' },
};

/** Properties Graph returns for a user when the request has no $select. */
const USER_DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
];
const EMULATOR_ONLY_USER_FIELDS = new Set(['managerId', 'authenticationMethods', 'signInActivity']);
const PREMIUM_SERVICE_PLANS = new Set(['AAD_PREMIUM', 'AAD_PREMIUM_P2']);
const MAX_BATCH_REQUESTS = 20;
const TAP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+=!@#%&*';

interface TapState {
  id: string;
  createdDateTime: string;
  startDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  inPolicyScope: boolean;
}

interface DirectoryIndexes {
  users: TenantUser[];
  groups: TenantGroup[];
  shape: string;
  /** Lower-cased object id and userPrincipalName -> user. */
  usersByKey: Map<string, TenantUser>;
  objectsById: Map<string, TenantUser | TenantGroup>;
  /** Object id -> the groups it is a direct member of. */
  groupsByMember: Map<string, TenantGroup[]>;
  /** Group id -> its transitive members, computed when first asked for. */
  transitiveMembers: Map<string, (TenantUser | TenantGroup)[]>;
}

const realNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Graph's innerError.date: UTC without milliseconds or zone designator. */
const errorDate = (date: Date) => date.toISOString().slice(0, 19);

class Emulator implements GraphEmulator {
  readonly requests: RecordedRequest[] = [];
  readonly tenant: TenantFixture;
  baseUrl = '';
  private latencyMs: number;
  private readonly now: () => Date;
  private readonly onPassIssued?: (pass: string) => void;
  private readonly denied = new Set<string>();
  private readonly faults: { match: FaultMatch; fault: Fault; remaining: number }[] = [];
  private readonly changes: { match: FaultMatch; change: (tenant: TenantFixture) => void }[] = [];
  private readonly taps = new Map<string, TapState>();
  private readonly tapLog: { userId: string; createdAt: string }[] = [];
  private readonly mailLog: { senderId: string; message: Record<string, any> }[] = [];
  /** Per user (lower-cased id): catalog app id -> the installation's id in their personal scope. */
  private readonly installedApps = new Map<string, Map<string, string>>();
  /** The mailboxes an "Application Mail.Send" role assignment's scope holds; undefined: no assignment. */
  private mailSendScope?: Set<string>;
  private readonly server = createServer((req, res) => void this.onHttpRequest(req, res));
  private directoryIndexes?: DirectoryIndexes;
  private readonly budgets?: ThrottlingBudgets;

  constructor(options: GraphEmulatorOptions) {
    this.now = options.now ?? (() => new Date());
    this.latencyMs = options.latencyMs ?? 0;
    this.onPassIssued = options.onPassIssued;
    this.tenant = resolveRelativeTimestamps(options.tenant, this.now());
    if (options.budgets)
      this.budgets = new ThrottlingBudgets({ ...options.budgets, tenantUsers: () => this.tenant.users.length });
  }

  budgetUsage() {
    return this.budgets && { charged: { ...this.budgets.chargedCount }, throttled: { ...this.budgets.throttledCount } };
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}/v1.0`;
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  failNext(match: FaultMatch, fault: Fault, times = 1): void {
    this.faults.push({ match, fault, remaining: times });
  }

  changeBeforeNext(match: FaultMatch, change: (tenant: TenantFixture) => void): void {
    this.changes.push({ match, change });
  }

  denyPermission(permission: string): void {
    this.denied.add(permission);
  }

  grantAllPermissions(): void {
    this.denied.clear();
  }

  issuedTaps(): { userId: string; createdAt: string }[] {
    return this.tapLog.map((entry) => ({ ...entry }));
  }

  sentMail(): { senderId: string; message: Record<string, any> }[] {
    return this.mailLog.map((entry) => structuredClone(entry));
  }

  assignMailSendRole(mailboxUserIds: string[] | undefined): void {
    this.mailSendScope = mailboxUserIds ? new Set(mailboxUserIds.map((id) => id.toLowerCase())) : undefined;
  }

  addGroupMember(groupId: string, memberId: string): void {
    const group = this.tenant.groups.find((candidate) => candidate.id === groupId);
    if (!group) throw new Error(`Unknown group ${groupId}`);
    const user = this.tenant.users.find((candidate) => candidate.id === memberId);
    const nestedGroup = this.tenant.groups.find((candidate) => candidate.id === memberId);
    if (!user && !nestedGroup) throw new Error(`Unknown directory object ${memberId}`);
    if (group.memberIds.includes(memberId)) return;
    group.memberIds.push(memberId);
    this.tenant.directoryAudits.unshift({
      id: `Directory_${randomUUID()}`,
      category: 'GroupManagement',
      correlationId: randomUUID(),
      result: 'success',
      resultReason: '',
      activityDisplayName: 'Add member to group',
      activityDateTime: this.now().toISOString(),
      loggedByService: 'Core Directory',
      operationType: 'Assign',
      initiatedBy: {
        user: null,
        app: { appId: null, displayName: 'Graph emulator', servicePrincipalId: null, servicePrincipalName: null },
      },
      targetResources: [
        {
          id: memberId,
          displayName: null,
          type: user ? 'User' : 'Group',
          userPrincipalName: user?.userPrincipalName ?? null,
          groupType: null,
          modifiedProperties: [
            { displayName: 'Group.ObjectID', oldValue: null, newValue: JSON.stringify(group.id) },
            { displayName: 'Group.DisplayName', oldValue: null, newValue: JSON.stringify(group.displayName) },
          ],
        },
        {
          id: group.id,
          displayName: group.displayName,
          type: 'Group',
          userPrincipalName: null,
          groupType: 'azureAD',
          modifiedProperties: [],
        },
      ],
      additionalDetails: [],
    });
  }

  /**
   * An administrator changes a user's sign-in name: the directory audit log gets an "Update user"
   * event whose target carries the old and new UPN as JSON arrays, as Microsoft shows it
   * (https://learn.microsoft.com/entra/identity/monitoring-health/troubleshoot-audit-data-verified-domain).
   */
  renameUser(userId: string, userPrincipalName: string): void {
    const user = this.tenant.users.find((candidate) => candidate.id === userId);
    if (!user) throw new Error(`Unknown user ${userId}`);
    const before = user.userPrincipalName;
    user.userPrincipalName = userPrincipalName;
    this.tenant.directoryAudits.unshift({
      id: `Directory_${randomUUID()}`,
      category: 'UserManagement',
      correlationId: randomUUID(),
      result: 'success',
      resultReason: '',
      activityDisplayName: 'Update user',
      activityDateTime: this.now().toISOString(),
      loggedByService: 'Core Directory',
      operationType: 'Update',
      initiatedBy: {
        user: null,
        app: { appId: null, displayName: 'Graph emulator', servicePrincipalId: null, servicePrincipalName: null },
      },
      targetResources: [
        {
          id: user.id,
          displayName: null,
          type: 'User',
          userPrincipalName,
          groupType: null,
          modifiedProperties: [
            {
              displayName: 'UserPrincipalName',
              oldValue: JSON.stringify([before]),
              newValue: JSON.stringify([userPrincipalName]),
            },
            { displayName: 'Included Updated Properties', oldValue: null, newValue: '"UserPrincipalName"' },
          ],
        },
      ],
      additionalDetails: [],
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP plumbing -------------------------------------------------------------------------

  private async onHttpRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = realNow();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ]),
    );
    const raw = Buffer.concat(chunks).toString('utf8');
    const response = this.execute(req.method ?? 'GET', req.url ?? '/', headers, raw, false, startedAt);
    const requestId = randomUUID();
    res.writeHead(response.status, {
      ...response.headers,
      'request-id': requestId,
      'client-request-id': headers['client-request-id'] || requestId,
      'odata-version': '4.0',
      ...(response.body === undefined
        ? {}
        : {
            'content-type':
              'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
          }),
    });
    res.end(response.body === undefined ? undefined : JSON.stringify(response.body));
  }

  /**
   * Runs one request, top-level or from a batch, and records it. `target` is whatever the client
   * put in the request line or the batch `url`.
   */
  private execute(
    method: string,
    target: string,
    headers: Record<string, string>,
    body: unknown,
    inBatch: boolean,
    startedAt = realNow(),
  ): EmulatedResponse {
    const record: RecordedRequest = { method, path: target, inBatch, status: 0, startedAt, endedAt: startedAt };
    this.requests.push(record);
    const clientRequestId = headers['client-request-id'] || randomUUID();
    let response: EmulatedResponse;
    try {
      const relative = toVersionRelative(target, !inBatch);
      record.path = readablePath(relative);
      this.applyChangeBefore(method, record.path);
      response =
        this.injectedFault(method, record.path) ??
        this.throttled(method, relative) ??
        this.route(method, relative, headers, body, inBatch);
    } catch (error) {
      response = this.errorResponse(error, clientRequestId);
    }
    record.status = response.status;
    record.endedAt = realNow();
    return response;
  }

  private applyChangeBefore(method: string, path: string): void {
    const index = this.changes.findIndex(
      ({ match }) =>
        (match.method === undefined || match.method.toUpperCase() === method.toUpperCase()) && match.path.test(path),
    );
    if (index >= 0) this.changes.splice(index, 1)[0]!.change(this.tenant);
  }

  private injectedFault(method: string, path: string): EmulatedResponse | undefined {
    const entry = this.faults.find(
      ({ match, remaining }) =>
        remaining > 0 &&
        (match.method === undefined || match.method.toUpperCase() === method.toUpperCase()) &&
        match.path.test(path),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    const { status, retryAfterSeconds } = entry.fault;
    const retryAfter = retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    throw new GraphError(
      status,
      FAULT_ERRORS[status].code,
      FAULT_ERRORS[status].message,
      retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
    );
  }

  /** The one place the budgets are charged: every request but a `$batch` envelope, whose items are each charged. */
  private throttled(method: string, relative: string): undefined {
    if (!this.budgets) return undefined;
    const url = new URL(relative, 'http://graph.invalid');
    const path = url.pathname
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
    if (path.toLowerCase() === '/$batch') return undefined;
    const refusal = this.budgets.charge(method, path, url.searchParams);
    if (!refusal) return undefined;
    throw new GraphError(429, FAULT_ERRORS[429].code, FAULT_ERRORS[429].message, {
      'Retry-After': String(refusal.retryAfterSeconds),
      ...refusal.headers,
    });
  }

  private errorResponse(error: unknown, clientRequestId: string): EmulatedResponse {
    const graphError =
      error instanceof GraphError
        ? error
        : error instanceof ODataQueryError
          ? new GraphError(400, error.code, error.message)
          : new GraphError(500, 'InternalServerError', error instanceof Error ? error.message : 'Unexpected error');
    return {
      status: graphError.status,
      headers: graphError.headers,
      body: {
        error: {
          code: graphError.code,
          message: graphError.message,
          innerError: { date: errorDate(this.now()), 'request-id': randomUUID(), 'client-request-id': clientRequestId },
        },
      },
    };
  }

  private route(
    method: string,
    relative: string,
    headers: Record<string, string>,
    rawBody: unknown,
    inBatch: boolean,
  ): EmulatedResponse {
    const url = new URL(relative, 'http://graph.invalid');
    const segments = url.pathname
      .split('/')
      .filter((segment) => segment.length > 0)
      .map((segment) => decodeURIComponent(segment));
    const body = typeof rawBody === 'string' ? parseJsonBody(rawBody) : rawBody;
    const request: EmulatedRequest = { method: method.toUpperCase(), segments, query: url.searchParams, headers, body };
    refuseUnimplementedOptions(request.query);
    const response = this.dispatch(request, inBatch);
    if (request.query.has('$expand') && !request.expandApplied)
      throw new ODataQueryError(`Query option '$expand' is not supported.`, 'Request_UnsupportedQuery');
    // Only what was selected comes back, whichever endpoint answered (see applySelect for the pages).
    const select =
      request.method === 'GET' && response.status === 200 ? parseSelect(request.query.get('$select')) : undefined;
    return select ? { ...response, body: selectInBody(response.body, select) } : response;
  }

  private dispatch(request: EmulatedRequest, inBatch: boolean): EmulatedResponse {
    const { segments } = request;
    const [first = '', ...afterFirst] = segments;
    // `/users('$x@y.com')`: the key-in-parentheses form Graph documents for UPNs starting with `$`.
    const keyed = /^users\('((?:[^']|'')*)'\)$/i.exec(first);
    const [root, rest] = keyed ? ['users', [keyed[1]!.replace(/''/g, "'"), ...afterFirst]] : [first, afterFirst];
    switch (root.toLowerCase()) {
      case '$batch':
        if (inBatch) throw segmentNotFound(root);
        return this.batch(request);
      case 'users':
        return this.users(request, rest);
      case 'groups':
        return this.groups(request, rest);
      case 'policies':
        return this.policies(request, rest);
      case 'identity':
        return this.identity(request, rest);
      case 'rolemanagement':
        return this.roleManagement(request, rest);
      case 'auditlogs':
        return this.auditLogs(request, rest);
      case 'reports':
        return this.reports(request, rest);
      case 'subscribedskus':
        expectShape(request, rest, 0);
        this.requirePermission('organization');
        return this.collection(request, this.tenant.subscribedSkus, {
          context: 'subscribedSkus',
          defaultSize: 100,
          max: 999,
        });
      case 'organization':
        expectShape(request, rest, 0);
        this.requirePermission('organization');
        return this.collection(request, [this.tenant.organization], {
          context: 'organization',
          defaultSize: 100,
          max: 999,
        });
      default:
        throw segmentNotFound(root);
    }
  }

  // ---- $batch ----------------------------------------------------------------------------------

  private batch(request: EmulatedRequest): EmulatedResponse {
    if (request.method !== 'POST') throw methodNotAllowed();
    const payload = request.body as { requests?: unknown } | undefined;
    if (!payload || !Array.isArray(payload.requests))
      throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
    // The limit and its error are documented; the exact message is assumed.
    if (payload.requests.length > MAX_BATCH_REQUESTS) {
      throw new GraphError(
        400,
        'BadRequest',
        `Invalid batch payload format. A batch can contain at most ${MAX_BATCH_REQUESTS} requests.`,
      );
    }
    const inner = payload.requests as {
      id?: unknown;
      method?: unknown;
      url?: unknown;
      headers?: unknown;
      body?: unknown;
      dependsOn?: unknown;
    }[];
    const ids = new Set<string>();
    for (const entry of inner) {
      if (
        typeof entry.id !== 'string' ||
        typeof entry.method !== 'string' ||
        typeof entry.url !== 'string' ||
        ids.has(entry.id)
      ) {
        throw new GraphError(
          400,
          'BadRequest',
          'Invalid batch payload format. Every request needs a unique id, a method and a url.',
        );
      }
      ids.add(entry.id);
    }
    const statusById = new Map<string, number>();
    const responses = inner.map((entry) => {
      const id = entry.id as string;
      const dependsOn = Array.isArray(entry.dependsOn) ? (entry.dependsOn as string[]) : [];
      let response: EmulatedResponse;
      if (dependsOn.some((dependency) => (statusById.get(dependency) ?? 424) >= 400)) {
        response = this.errorResponse(
          new GraphError(
            424,
            'FailedDependency',
            'The request could not be processed because a request it depends on failed.',
          ),
          randomUUID(),
        );
      } else {
        const headers = Object.fromEntries(
          Object.entries((entry.headers ?? {}) as Record<string, string>).map(([name, value]) => [
            name.toLowerCase(),
            String(value),
          ]),
        );
        response = this.execute(entry.method as string, entry.url as string, headers, entry.body, true);
      }
      statusById.set(id, response.status);
      const responseHeaders: Record<string, string> = { ...response.headers };
      if (response.body !== undefined) responseHeaders['Content-Type'] = 'application/json';
      return {
        id,
        status: response.status,
        headers: responseHeaders,
        ...(response.body === undefined ? {} : { body: response.body }),
      };
    });
    return { status: 200, headers: {}, body: { responses } };
  }

  // ---- users -----------------------------------------------------------------------------------

  private users(request: EmulatedRequest, rest: string[]): EmulatedResponse {
    const [key, navigation, ...tail] = rest;
    if (key === undefined) {
      allowMethods(request, 'GET');
      this.requirePermission('users');
      return this.listUsers(request);
    }
    if (key.startsWith('$') && request.segments[0]?.toLowerCase() === 'users') {
      // https://learn.microsoft.com/graph/api/user-get: `/users/$x@y.com` violates OData's URL
      // convention and fails with 400; the message is assumed.
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${key}'.`);
    }
    if (navigation === undefined) {
      allowMethods(request, 'GET');
      this.requirePermission('users');
      const select = parseSelect(request.query.get('$select'));
      if (select?.some((property) => property.toLowerCase() === 'signinactivity') && !isObjectId(key)) {
        // Selecting signInActivity on a user addressed by UPN is not supported: Graph answers 400
        // (https://learn.microsoft.com/en-us/answers/questions/1311910); the message is assumed.
        throw new GraphError(
          400,
          'BadRequest',
          'Get By Key only supports UserId, and the key has to be a valid Guid when signInActivity is selected.',
        );
      }
      const user = this.findUser(key);
      return ok({
        '@odata.context': this.context(`users${selectSuffix(select)}/$entity`),
        ...this.userView(user, select),
      });
    }
    switch (navigation.toLowerCase()) {
      case 'manager': {
        expectShape(request, tail, 0);
        this.requirePermission('manager');
        const user = this.findUser(key);
        const manager = this.tenant.users.find((candidate) => candidate.id === user.managerId);
        if (!manager) throw resourceNotFound('manager');
        const select = parseSelect(request.query.get('$select'));
        return ok({
          '@odata.context': this.context('directoryObjects/$entity'),
          '@odata.type': '#microsoft.graph.user',
          ...this.userView(manager, select),
        });
      }
      case 'memberof':
      case 'transitivememberof':
        return this.memberOf(request, key, navigation.toLowerCase() === 'transitivememberof', tail);
      case 'checkmembergroups':
        return this.checkMemberGroups(request, key, tail);
      case 'authentication':
        return this.authentication(request, key, tail);
      case 'licensedetails': {
        // https://learn.microsoft.com/graph/api/user-list-licensedetails: each assigned SKU's plans, less disabled ones.
        expectShape(request, tail, 0);
        this.requirePermission('users');
        const user = this.findUser(key);
        const details = this.assignedLicences(user).flatMap((licence) => {
          const sku = this.tenant.subscribedSkus.find((candidate) => candidate.skuId === licence.skuId);
          if (!sku) return [];
          const disabled = new Set(licence.disabledPlans ?? []);
          return [
            {
              id: `${user.id}_${sku.skuId}`,
              skuId: sku.skuId,
              skuPartNumber: sku.skuPartNumber,
              servicePlans: (sku.servicePlans ?? []).filter((plan) => !disabled.has(plan.servicePlanId ?? '')),
            },
          ];
        });
        return ok({ '@odata.context': this.context(`users('${user.id}')/licenseDetails`), value: details });
      }
      case 'sendmail':
        return this.sendMail(request, key, tail);
      case 'teamwork':
        return this.teamwork(request, key, tail);
      default:
        throw segmentNotFound(navigation);
    }
  }

  /**
   * POST /users/{id}/sendMail: 202 Accepted with no body
   * (https://learn.microsoft.com/graph/api/user-sendmail). Two grants reach a mailbox, each on its
   * own: Entra's application permission Mail.Send (every mailbox), or an Exchange RBAC for
   * Applications role assignment ("Application Mail.Send") whose scope holds the sender; "these
   * permission grants are independent of the unscoped grants in Microsoft Entra ID"
   * (https://learn.microsoft.com/exchange/permissions-exo/application-rbac, Overview), so with
   * Entra's grant in place the scope limits nothing. With neither, Exchange refuses the app the
   * mailbox: 403 ErrorAccessDenied "Access to OData is disabled.", the body Microsoft documents for
   * that refusal (https://learn.microsoft.com/graph/auth-limit-mailbox-access, "Handling API
   * errors"); the RBAC page documents no other.
   */
  private sendMail(request: EmulatedRequest, key: string, rest: string[]): EmulatedResponse {
    expectShape(request, rest, 0, 'POST');
    const refused = () => new GraphError(403, 'ErrorAccessDenied', 'Access to OData is disabled.');
    const byEntra = this.granted('sendMail');
    if (!byEntra && !this.mailSendScope) throw refused();
    const sender = this.findUser(key);
    if (!byEntra && !this.mailSendScope?.has(sender.id.toLowerCase())) throw refused();
    const message = (request.body as { message?: unknown } | undefined)?.message;
    // The page documents no error for a JSON body without a message; the emulator's generic unreadable-payload answer stands in.
    if (typeof message !== 'object' || message === null) {
      throw new GraphError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
    this.mailLog.push({ senderId: sender.id, message: structuredClone(message) as Record<string, any> });
    return { status: 202, headers: {}, body: undefined };
  }

  private listUsers(request: EmulatedRequest): EmulatedResponse {
    const select = parseSelect(request.query.get('$select'));
    if (select?.some((property) => property.toLowerCase() === 'signinactivity')) this.requireSignInActivity();
    const users = this.queryDirectoryObjects(request, this.tenant.users, { filterNeedsEventualConsistency: false });
    return this.collection(request, users, {
      context: `users${selectSuffix(select)}`,
      // With signInActivity selected the page is at most 500 users (list-users, v1.0:
      // https://learn.microsoft.com/graph/api/user-list, "Optional query parameters";
      // microsoftgraph/microsoft-graph-docs-contrib#9591).
      defaultSize: 100,
      max: select?.some((property) => property.toLowerCase() === 'signinactivity') ? 500 : 999,
      view: (user) => this.userView(user, select),
    });
  }

  private findUser(key: string): TenantUser {
    const lower = key.toLowerCase();
    const indexed = this.indexes().usersByKey.get(lower);
    // Tests may rename a user in place: an index entry is trusted only while it still matches.
    const user =
      indexed && (indexed.id.toLowerCase() === lower || indexed.userPrincipalName.toLowerCase() === lower)
        ? indexed
        : this.tenant.users.find(
            (candidate) => candidate.id.toLowerCase() === lower || candidate.userPrincipalName.toLowerCase() === lower,
          );
    if (!user) throw resourceNotFound(key);
    return user;
  }

  /**
   * Lookup tables over the live directory, rebuilt when its shape changes (users or groups added or
   * removed, members added): a synthetic tenant of 50,000 members stays fast without scans.
   */
  private indexes(): DirectoryIndexes {
    const { users, groups } = this.tenant;
    let memberCount = 0;
    for (const group of groups) memberCount += group.memberIds.length;
    const shape = `${users.length}/${groups.length}/${memberCount}`;
    if (
      this.directoryIndexes?.users !== users ||
      this.directoryIndexes.groups !== groups ||
      this.directoryIndexes.shape !== shape
    ) {
      const usersByKey = new Map<string, TenantUser>();
      const objectsById = new Map<string, TenantUser | TenantGroup>();
      for (const user of users) {
        usersByKey.set(user.id.toLowerCase(), user);
        usersByKey.set(user.userPrincipalName.toLowerCase(), user);
        objectsById.set(user.id, user);
      }
      const groupsByMember = new Map<string, TenantGroup[]>();
      for (const group of groups) {
        if (!objectsById.has(group.id)) objectsById.set(group.id, group);
        for (const memberId of new Set(group.memberIds)) {
          const memberOf = groupsByMember.get(memberId);
          if (memberOf) memberOf.push(group);
          else groupsByMember.set(memberId, [group]);
        }
      }
      this.directoryIndexes = {
        users,
        groups,
        shape,
        usersByKey,
        objectsById,
        groupsByMember,
        transitiveMembers: new Map(),
      };
    }
    return this.directoryIndexes;
  }

  /** A fixture user without `assignedLicenses` holds every user SKU of the tenant (a fixture shorthand). */
  private assignedLicences(user: TenantUser): { skuId?: string | null; disabledPlans?: string[] }[] {
    return (
      user.assignedLicenses ??
      this.tenant.subscribedSkus
        .filter((sku) => sku.appliesTo !== 'Company')
        .map((sku) => ({ skuId: sku.skuId, disabledPlans: [] }))
    );
  }

  private userView(user: TenantUser, select: string[] | undefined): Record<string, unknown> {
    const graphUser = Object.fromEntries(Object.entries(user).filter(([name]) => !EMULATOR_ONLY_USER_FIELDS.has(name)));
    graphUser.assignedLicenses = this.assignedLicences(user);
    if (!select) {
      const view: Record<string, unknown> = {};
      for (const property of USER_DEFAULT_PROPERTIES)
        view[property] = graphUser[property] ?? (property === 'businessPhones' ? [] : null);
      view.id = user.id;
      return view;
    }
    if (select.some((property) => property.toLowerCase() === 'signinactivity')) {
      this.requireSignInActivity();
      graphUser.signInActivity = user.signInActivity ?? null;
    }
    return applySelect(graphUser, select);
  }

  /** The real errors Graph gives for signInActivity without AuditLog.Read.All or without a premium licence. */
  private requireSignInActivity(): void {
    if (!this.granted('signInActivity')) {
      throw new GraphError(
        403,
        'Authentication_MSGraphPermissionMissing',
        'Calling principal does not have required MSGraph permissions AuditLog.Read.All',
      );
    }
    this.requirePremium();
  }

  private requirePremium(): void {
    const premium = this.tenant.subscribedSkus.some(
      (sku) =>
        sku.capabilityStatus === 'Enabled' &&
        sku.servicePlans?.some((plan) => PREMIUM_SERVICE_PLANS.has(plan.servicePlanName ?? '')),
    );
    if (!premium)
      throw new GraphError(
        403,
        'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
        "Neither tenant is B2C or tenant doesn't have premium license",
      );
  }

  private memberOf(request: EmulatedRequest, key: string, transitive: boolean, tail: string[]): EmulatedResponse {
    allowMethods(request, 'GET');
    const [cast, extra] = tail;
    if (extra !== undefined) throw segmentNotFound(extra);
    if (cast !== undefined && cast.toLowerCase() !== 'microsoft.graph.group') throw segmentNotFound(cast);
    this.requirePermission('groupMembership');
    const user = this.findUser(key);
    const groups = transitive ? this.transitiveGroupsOf(user.id) : this.directGroupsOf(user.id);
    const select = parseSelect(request.query.get('$select'));
    const groupObjects = groups.map((group) => ({ '@odata.type': '#microsoft.graph.group', ...groupFields(group) }));
    const roles =
      cast === undefined
        ? this.tenant.directoryRoles
            .filter((role) =>
              this.tenant.roleAssignments.some(
                (assignment) =>
                  assignment.principalId === user.id &&
                  assignment.roleDefinitionId === role.roleTemplateId &&
                  assignment.directoryScopeId === '/',
              ),
            )
            .map((role) => ({ '@odata.type': '#microsoft.graph.directoryRole', ...role }))
        : [];
    const objects = this.queryDirectoryObjects(request, [...groupObjects, ...roles], {
      filterNeedsEventualConsistency: true,
    });
    return this.collection(request, objects, {
      context: `${cast === undefined ? 'directoryObjects' : 'groups'}${selectSuffix(select)}`,
      defaultSize: 100,
      max: 999,
      view: (object) => (select ? applySelect(object, select) : object),
    });
  }

  private checkMemberGroups(request: EmulatedRequest, key: string, tail: string[]): EmulatedResponse {
    expectShape(request, tail, 0, 'POST');
    this.requirePermission('groupMembership');
    const user = this.findUser(key);
    const groupIds = (request.body as { groupIds?: unknown } | undefined)?.groupIds;
    if (!Array.isArray(groupIds) || groupIds.some((id) => typeof id !== 'string')) {
      throw new GraphError(
        400,
        'Request_BadRequest',
        "The request body must contain 'groupIds', an array of group ids.",
      );
    }
    if (groupIds.length > 20)
      throw new GraphError(
        400,
        'Request_BadRequest',
        'The number of group ids in the request exceeds the maximum of 20.',
      );
    const memberOf = new Set(this.transitiveGroupsOf(user.id).map((group) => group.id.toLowerCase()));
    return ok({
      '@odata.context': this.context('Collection(Edm.String)'),
      value: (groupIds as string[]).filter((id) => memberOf.has(id.toLowerCase())),
    });
  }

  // ---- authentication methods and Temporary Access Pass -----------------------------------------

  private authentication(request: EmulatedRequest, key: string, tail: string[]): EmulatedResponse {
    const [collection, methodId, ...extra] = tail;
    if (collection === undefined || extra.length > 0) throw segmentNotFound(collection ?? 'authentication');
    switch (collection.toLowerCase()) {
      case 'methods': {
        if (methodId !== undefined) throw segmentNotFound(methodId);
        allowMethods(request, 'GET');
        this.requirePermission('authenticationMethods');
        const user = this.findUser(key);
        const tap = this.taps.get(user.id);
        const methods = [...user.authenticationMethods, ...(tap ? [this.tapView(tap)] : [])];
        return ok({ '@odata.context': this.context(`users('${user.id}')/authentication/methods`), value: methods });
      }
      case 'temporaryaccesspassmethods':
        return this.temporaryAccessPassMethods(request, key, methodId);
      default:
        throw segmentNotFound(collection);
    }
  }

  private temporaryAccessPassMethods(
    request: EmulatedRequest,
    key: string,
    methodId: string | undefined,
  ): EmulatedResponse {
    if (request.method === 'GET') {
      this.requirePermission('authenticationMethods');
      const user = this.findUser(key);
      const tap = this.taps.get(user.id);
      const contextPath = `users('${user.id}')/authentication/temporaryAccessPassMethods`;
      if (methodId === undefined)
        return ok({ '@odata.context': this.context(contextPath), value: tap ? [this.tapView(tap)] : [] });
      if (!tap || tap.id !== methodId) throw resourceNotFound(methodId);
      return ok({ '@odata.context': this.context(`${contextPath}/$entity`), ...this.tapView(tap) });
    }
    if (request.method === 'DELETE' && methodId !== undefined) {
      this.requirePermission('temporaryAccessPassWrite');
      const user = this.findUser(key);
      if (this.taps.get(user.id)?.id !== methodId) throw resourceNotFound(methodId);
      this.taps.delete(user.id);
      return { status: 204, headers: {} };
    }
    if (request.method === 'POST' && methodId === undefined) return this.createTemporaryAccessPass(request, key);
    throw methodNotAllowed();
  }

  private createTemporaryAccessPass(request: EmulatedRequest, key: string): EmulatedResponse {
    this.requirePermission('temporaryAccessPassWrite');
    const user = this.findUser(key);
    const policy = this.tenant.authenticationMethodConfigurations.TemporaryAccessPass;
    const body = (request.body ?? {}) as {
      startDateTime?: unknown;
      lifetimeInMinutes?: unknown;
      isUsableOnce?: unknown;
    };
    const minimum = Math.max(10, policy.minimumLifetimeInMinutes ?? 10);
    const maximum = Math.min(43200, policy.maximumLifetimeInMinutes ?? 43200);
    const lifetime = body.lifetimeInMinutes ?? policy.defaultLifetimeInMinutes ?? minimum;
    if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < minimum || lifetime > maximum) {
      // The wording Graph uses, observed in the field.
      throw new GraphError(
        400,
        'badRequest',
        `Invalid LifetimeInMinutes specified. The valid range between ${minimum} and ${maximum}.`,
      );
    }
    const isUsableOnce = body.isUsableOnce ?? policy.isUsableOnce ?? false;
    if (typeof isUsableOnce !== 'boolean') throw new GraphError(400, 'badRequest', 'Invalid value for isUsableOnce.');
    if (policy.isUsableOnce === true && !isUsableOnce) {
      // Documented behaviour (multi-use passes need the policy's consent); the message is assumed.
      throw new GraphError(400, 'badRequest', 'The Temporary Access Pass policy only allows one-time use passes.');
    }
    const now = this.now();
    const start =
      body.startDateTime === undefined || body.startDateTime === null ? now : new Date(String(body.startDateTime));
    if (Number.isNaN(start.getTime())) throw new GraphError(400, 'badRequest', 'Invalid startDateTime specified.');
    const tap: TapState = {
      id: randomUUID(),
      createdDateTime: now.toISOString(),
      startDateTime: start.toISOString(),
      lifetimeInMinutes: lifetime,
      isUsableOnce,
      inPolicyScope: this.inTapPolicyScope(user.id),
    };
    // A user holds one pass: a new one replaces the old.
    this.taps.set(user.id, tap);
    this.tapLog.push({ userId: user.id, createdAt: tap.createdDateTime });
    const temporaryAccessPass = Array.from(
      { length: policy.defaultLength ?? 8 },
      () => TAP_ALPHABET[randomInt(TAP_ALPHABET.length)],
    ).join('');
    this.onPassIssued?.(temporaryAccessPass);
    const view = this.tapView(tap);
    return {
      status: 201,
      headers: { Location: `${this.baseUrl}/users/${user.id}/authentication/temporaryAccessPassMethods/${tap.id}` },
      body: {
        '@odata.context': this.context(`users('${user.id}')/authentication/temporaryAccessPassMethods/$entity`),
        ...view,
        temporaryAccessPass,
      },
    };
  }

  private tapView(tap: TapState): Record<string, unknown> {
    const now = this.now().getTime();
    const start = Date.parse(tap.startDateTime);
    const reason = !tap.inPolicyScope
      ? 'DisabledByPolicy'
      : now < start
        ? 'NotYetValid'
        : now > start + tap.lifetimeInMinutes * 60_000
          ? 'Expired'
          : 'EnabledByPolicy';
    return {
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
      id: tap.id,
      temporaryAccessPass: null,
      createdDateTime: tap.createdDateTime,
      startDateTime: tap.startDateTime,
      lifetimeInMinutes: tap.lifetimeInMinutes,
      isUsableOnce: tap.isUsableOnce,
      isUsable: reason === 'EnabledByPolicy',
      methodUsabilityReason: reason,
    };
  }

  private inTapPolicyScope(userId: string): boolean {
    const policy = this.tenant.authenticationMethodConfigurations.TemporaryAccessPass;
    if (policy.state !== 'enabled') return false;
    const groupIds = new Set([userId, ...this.transitiveGroupsOf(userId).map((group) => group.id)]);
    const included = (policy.includeTargets ?? []).some(
      (target) => target.id === 'all_users' || groupIds.has(target.id ?? ''),
    );
    const excluded = (policy.excludeTargets ?? []).some(
      (target) => target.id === 'all_users' || groupIds.has(target.id ?? ''),
    );
    return included && !excluded;
  }

  // ---- groups ----------------------------------------------------------------------------------

  private groups(request: EmulatedRequest, rest: string[]): EmulatedResponse {
    const [key, navigation, cast, ...extra] = rest;
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    allowMethods(request, 'GET');
    this.requirePermission('groupMembership');
    const select = parseSelect(request.query.get('$select'));
    if (key === undefined) {
      const groups = this.queryDirectoryObjects(request, this.tenant.groups.map(groupFields), {
        filterNeedsEventualConsistency: false,
      });
      return this.collection(request, groups, {
        context: `groups${selectSuffix(select)}`,
        defaultSize: 100,
        max: 999,
        view: (group) => (select ? applySelect(group, select) : group),
      });
    }
    const group = this.tenant.groups.find((candidate) => candidate.id.toLowerCase() === key.toLowerCase());
    if (!group) throw resourceNotFound(key);
    if (navigation === undefined) {
      const fields = groupFields(group);
      return ok({
        '@odata.context': this.context(`groups${selectSuffix(select)}/$entity`),
        ...(select ? applySelect(fields, select) : fields),
      });
    }
    const lowerNavigation = navigation.toLowerCase();
    if (lowerNavigation !== 'members' && lowerNavigation !== 'transitivemembers') throw segmentNotFound(navigation);
    if (
      cast !== undefined &&
      cast.toLowerCase() !== 'microsoft.graph.user' &&
      cast.toLowerCase() !== 'microsoft.graph.group'
    )
      throw segmentNotFound(cast);
    const hiddenFromCaller = (candidate: TenantGroup) =>
      candidate.visibility === 'HiddenMembership' && !this.granted('hiddenMembership');
    const members = hiddenFromCaller(group)
      ? []
      : lowerNavigation === 'members'
        ? this.directMembers(group)
        : this.transitiveMembers(group);
    const wantedType = cast?.toLowerCase();
    const typed = members
      .map((member) =>
        'memberIds' in member
          ? { kind: 'group' as const, member, fields: groupFields(member) }
          : { kind: 'user' as const, member, fields: member },
      )
      .filter((entry) => wantedType === undefined || wantedType === `microsoft.graph.${entry.kind}`);
    // Without a query there is nothing to match: paging a 50,000-member group stays cheap.
    const queried =
      ['$filter', '$search', '$count'].some((option) => request.query.has(option)) ||
      request.headers.consistencylevel !== undefined;
    const matching = queried
      ? new Set(
          this.queryDirectoryObjects(
            request,
            typed.map((entry) => entry.fields),
            { filterNeedsEventualConsistency: true },
          ),
        )
      : undefined;
    const castName =
      wantedType === 'microsoft.graph.user' ? 'users' : wantedType === undefined ? 'directoryObjects' : 'groups';
    return this.collection(request, matching ? typed.filter((entry) => matching.has(entry.fields)) : typed, {
      context: `${castName}${selectSuffix(select)}`,
      defaultSize: 100,
      max: 999,
      view: (entry) =>
        entry.kind === 'user'
          ? { '@odata.type': '#microsoft.graph.user', ...this.userView(entry.member, select) }
          : { '@odata.type': '#microsoft.graph.group', ...(select ? applySelect(entry.fields, select) : entry.fields) },
    });
  }

  private directMembers(group: TenantGroup): (TenantUser | TenantGroup)[] {
    const { objectsById } = this.indexes();
    return group.memberIds.flatMap((id) => {
      const member = objectsById.get(id);
      return member ? [member] : [];
    });
  }

  /** Members of the group and, recursively, of its nested groups; each object once. */
  private transitiveMembers(group: TenantGroup): (TenantUser | TenantGroup)[] {
    const indexes = this.indexes();
    const cached = indexes.transitiveMembers.get(group.id);
    if (cached) return cached;
    const members = this.walkMembers(group);
    indexes.transitiveMembers.set(group.id, members);
    return members;
  }

  private walkMembers(group: TenantGroup): (TenantUser | TenantGroup)[] {
    const seen = new Set<string>([group.id]);
    const result: (TenantUser | TenantGroup)[] = [];
    const queue: TenantGroup[] = [group];
    for (let current = queue.shift(); current; current = queue.shift()) {
      for (const member of this.directMembers(current)) {
        if (seen.has(member.id)) continue;
        seen.add(member.id);
        result.push(member);
        if ('memberIds' in member) queue.push(member);
      }
    }
    return result;
  }

  private directGroupsOf(objectId: string): TenantGroup[] {
    return this.indexes().groupsByMember.get(objectId) ?? [];
  }

  private transitiveGroupsOf(objectId: string): TenantGroup[] {
    const result: TenantGroup[] = [];
    const seen = new Set<string>();
    const queue = [objectId];
    for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
      for (const group of this.directGroupsOf(current)) {
        if (seen.has(group.id)) continue;
        seen.add(group.id);
        result.push(group);
        queue.push(group.id);
      }
    }
    return result;
  }

  // ---- policies, identity, roles, audit ----------------------------------------------------------

  private policies(request: EmulatedRequest, rest: string[]): EmulatedResponse {
    const [policyRoot, configurations, configurationId, ...extra] = rest;
    if (policyRoot?.toLowerCase() !== 'authenticationmethodspolicy') throw segmentNotFound(policyRoot ?? 'policies');
    if (configurations?.toLowerCase() !== 'authenticationmethodconfigurations')
      throw segmentNotFound(configurations ?? policyRoot);
    if (configurationId === undefined || extra.length > 0) throw segmentNotFound(extra[0] ?? configurations);
    allowMethods(request, 'GET');
    this.requirePermission('authenticationMethodPolicies');
    const known = this.tenant.authenticationMethodConfigurations;
    const configuration = Object.entries(known).find(([id]) => id.toLowerCase() === configurationId.toLowerCase())?.[1];
    if (!configuration) throw resourceNotFound(configurationId);
    return ok({ '@odata.context': this.context('authenticationMethodConfigurations/$entity'), ...configuration });
  }

  private identity(request: EmulatedRequest, rest: string[]): EmulatedResponse {
    const [area, collection, id, ...extra] = rest;
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    allowMethods(request, 'GET');
    if (area?.toLowerCase() === 'verifiedid' && collection?.toLowerCase() === 'profiles') {
      this.requirePermission('verifiedIdProfiles');
      if (id === undefined)
        return this.collection(request, this.tenant.verifiedIdProfiles, {
          context: 'identity/verifiedId/profiles',
          defaultSize: 100,
          max: 999,
        });
      const profile = this.tenant.verifiedIdProfiles.find((candidate) => candidate.id === id);
      if (!profile) throw resourceNotFound(id);
      return ok({ '@odata.context': this.context('identity/verifiedId/profiles/$entity'), ...profile });
    }
    if (area?.toLowerCase() === 'conditionalaccess' && collection?.toLowerCase() === 'policies') {
      this.requirePermission('conditionalAccess');
      if (id === undefined) {
        const policies = this.filtered(request, this.tenant.conditionalAccessPolicies);
        return this.collection(request, policies, {
          context: 'identity/conditionalAccess/policies',
          defaultSize: 100,
          max: 999,
        });
      }
      const policy = this.tenant.conditionalAccessPolicies.find((candidate) => candidate.id === id);
      if (!policy) throw resourceNotFound(id);
      return ok({ '@odata.context': this.context('identity/conditionalAccess/policies/$entity'), ...policy });
    }
    if (
      area?.toLowerCase() === 'conditionalaccess' &&
      collection?.toLowerCase() === 'namedlocations' &&
      id === undefined
    ) {
      // https://learn.microsoft.com/graph/api/conditionalaccessroot-list-namedlocations (Policy.Read.All)
      this.requirePermission('conditionalAccess');
      return this.collection(request, this.filtered(request, this.tenant.namedLocations ?? []), {
        context: 'identity/conditionalAccess/namedLocations',
        defaultSize: 100,
        max: 999,
      });
    }
    const knownArea = area?.toLowerCase() === 'verifiedid' || area?.toLowerCase() === 'conditionalaccess';
    throw segmentNotFound(knownArea ? (collection ?? area) : (area ?? 'identity'));
  }

  private roleManagement(request: EmulatedRequest, rest: string[]): EmulatedResponse {
    const [provider, collection, ...extra] = rest;
    if (provider?.toLowerCase() !== 'directory') throw segmentNotFound(provider ?? 'roleManagement');
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    allowMethods(request, 'GET');
    const select = parseSelect(request.query.get('$select'));
    const view = (item: object) => (select ? applySelect(item as Record<string, unknown>, select) : item);
    switch (collection?.toLowerCase()) {
      case 'roleassignments': {
        this.requirePermission('roleAssignments');
        const assignments = this.filtered(request, this.tenant.roleAssignments);
        return this.collection(request, assignments, {
          context: 'roleManagement/directory/roleAssignments',
          defaultSize: 100,
          max: 999,
          view,
        });
      }
      case 'roleeligibilityscheduleinstances': {
        this.requirePermission('roleEligibility');
        const instances = this.filtered(request, this.tenant.roleEligibilityScheduleInstances ?? []);
        return this.collection(request, instances, {
          context: 'roleManagement/directory/roleEligibilityScheduleInstances',
          defaultSize: 100,
          max: 999,
          view,
        });
      }
      case 'roledefinitions': {
        // https://learn.microsoft.com/graph/api/resources/unifiedroledefinition: built-in roles' ids are their template ids.
        this.requirePermission('roleAssignments');
        const builtIn = this.tenant.directoryRoles.map((role) => ({
          id: role.roleTemplateId,
          displayName: role.displayName,
          description: role.description ?? null,
          isBuiltIn: true,
          isEnabled: true,
          templateId: role.roleTemplateId,
        }));
        const custom = (this.tenant.customRoleDefinitions ?? []).map((role) => ({
          isEnabled: true,
          templateId: role.id,
          ...role,
          isBuiltIn: false,
        }));
        const definitions = this.filtered(request, [...builtIn, ...custom]);
        return this.collection(request, definitions, {
          context: 'roleManagement/directory/roleDefinitions',
          defaultSize: 100,
          max: 999,
          view,
        });
      }
      default:
        throw segmentNotFound(collection ?? provider);
    }
  }

  private auditLogs(request: EmulatedRequest, rest: string[]): EmulatedResponse {
    const [collection, ...extra] = rest;
    if (collection?.toLowerCase() !== 'directoryaudits' || extra.length > 0)
      throw segmentNotFound(extra[0] ?? collection ?? 'auditLogs');
    allowMethods(request, 'GET');
    if (!this.granted('directoryAudits')) {
      // The reporting APIs answer a missing AuditLog.Read.All with this error, not Authorization_RequestDenied.
      throw new GraphError(
        403,
        'Authentication_MSGraphPermissionMissing',
        'Calling principal does not have required MSGraph permissions AuditLog.Read.All',
      );
    }
    const newestFirst = this.tenant.directoryAudits
      .map((audit, index) => ({ audit, index }))
      .sort((a, b) => Date.parse(b.audit.activityDateTime) - Date.parse(a.audit.activityDateTime) || a.index - b.index)
      .map(({ audit }) => audit);
    return this.collection(request, this.filtered(request, newestFirst), {
      context: 'auditLogs/directoryAudits',
      defaultSize: 1000,
      max: 1000,
    });
  }

  /**
   * The authentication methods registration report, one row per user
   * (https://learn.microsoft.com/graph/api/authenticationmethodsroot-list-userregistrationdetails):
   * AuditLog.Read.All and an Entra ID P1/P2 tenant; `$filter` and `$orderby` only. It is a periodic
   * snapshot, and disabled accounts are not in it (Get-EntraAuthenticationMethodUserRegistrationDetailReport:
   * "doesn't work for disabled accounts"). Its page size is not documented; 1,000 here, as for the
   * other reports.
   */
  private reports(request: EmulatedRequest, rest: string[]): EmulatedResponse {
    const [area, collection, ...extra] = rest;
    if (area?.toLowerCase() !== 'authenticationmethods') throw segmentNotFound(area ?? 'reports');
    if (collection?.toLowerCase() !== 'userregistrationdetails' || extra.length > 0)
      throw segmentNotFound(extra[0] ?? collection ?? area);
    allowMethods(request, 'GET');
    if (request.query.has('$select') || request.query.has('$top'))
      throw new GraphError(400, 'BadRequest', 'Only $filter and $orderby are supported on this resource.');
    if (!this.granted('directoryAudits')) {
      throw new GraphError(
        403,
        'Authentication_MSGraphPermissionMissing',
        'Calling principal does not have required MSGraph permissions AuditLog.Read.All',
      );
    }
    this.requirePremium();
    const snapshot = this.now().toISOString();
    const row = (user: TenantUser) => {
      const methods = [
        ...new Set(user.authenticationMethods.flatMap((method) => REGISTERED_METHOD[methodKind(method)] ?? [])),
      ];
      return {
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        userDisplayName: user.displayName,
        userType: (user.userType ?? 'Member').toLowerCase(),
        isAdmin: false,
        isMfaRegistered: methods.some((method) => method !== 'email'),
        isMfaCapable: methods.some((method) => method !== 'email'),
        isPasswordlessCapable: methods.some(
          (method) =>
            method === 'fido2' ||
            method === 'windowsHelloForBusiness' ||
            method === 'microsoftAuthenticatorPasswordless',
        ),
        isSsprRegistered: methods.length > 0,
        isSsprEnabled: false,
        isSsprCapable: false,
        methodsRegistered: methods,
        lastUpdatedDateTime: snapshot,
      };
    };
    const enabled = this.tenant.users.filter((user) => user.accountEnabled !== false);
    const context = { context: 'reports/authenticationMethods/userRegistrationDetails', defaultSize: 1000, max: 1000 };
    if (request.query.has('$filter'))
      return this.collection(request, this.filtered(request, enabled.map(row)), context);
    return this.collection(request, enabled, { ...context, view: row });
  }

  // ---- Teams apps in a user's personal scope -----------------------------------------------------

  /**
   * Proactive installation, the calls "Send proactive installation messages" documents
   * (https://learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages):
   * - `POST /users/{id}/teamwork/installedApps` with `teamsApp@odata.bind` to an app of the
   *   tenant's catalog (`teamsApps` in the fixture): 201 Created, no body
   *   (https://learn.microsoft.com/graph/api/userteamwork-post-installedapps). Installed already:
   *   409 Conflict (microsoftgraph/microsoft-graph-docs-contrib#3686, "the expected 409 Conflict";
   *   Microsoft's proactive-installation sample counts a 409 as "existing"); its body is assumed.
   *   An app not in the catalog: 404, body assumed.
   * - `GET /users/{id}/teamwork/installedApps`, with `$expand=teamsApp`, `$filter` on `teamsApp/…`
   *   and `$select` (https://learn.microsoft.com/graph/api/userteamwork-list-installedapps): an empty
   *   array when not installed; without `$expand` an installation is its `id` only.
   * - `GET /users/{id}/teamwork/installedApps/{installationId}/chat`, `$select` only
   *   (https://learn.microsoft.com/graph/api/userscopeteamsappinstallation-get-chat): the 1:1 chat,
   *   its id of the page's form `19:{…}_{userId}@unq.gbl.spaces` (here the app's Entra app id first).
   * Without the application permission Teams APIs answer 403 Forbidden "Missing role permissions on
   * the request. API requires one of '…'" (no Microsoft page documents the body; it is what public
   * code records), not the directory's Authorization_RequestDenied.
   */
  private teamwork(request: EmulatedRequest, key: string, rest: string[]): EmulatedResponse {
    const [collection, installationId, navigation, ...more] = rest;
    if (collection?.toLowerCase() !== 'installedapps') throw segmentNotFound(collection ?? 'teamwork');
    const user = this.findUser(key);
    const installed = this.installedApps.get(user.id.toLowerCase()) ?? new Map<string, string>();
    this.installedApps.set(user.id.toLowerCase(), installed);
    const catalog = this.tenant.teamsApps ?? [];
    if (installationId === undefined && request.method === 'POST') {
      this.requireTeamsPermission('teamsAppInstall');
      const bind = (request.body as Record<string, unknown> | undefined)?.['teamsApp@odata.bind'];
      const appId = typeof bind === 'string' ? /\/appCatalogs\/teamsApps\/([^/?#]+)$/i.exec(bind)?.[1] : undefined;
      if (!appId)
        throw new GraphError(400, 'BadRequest', "The request body must bind 'teamsApp@odata.bind' to a catalog app.");
      const app = catalog.find((candidate) => candidate.id === decodeURIComponent(appId));
      if (!app) throw new GraphError(404, 'NotFound', `The app '${appId}' is not in the app catalog.`);
      if (installed.has(app.id))
        throw new GraphError(409, 'Conflict', 'The app is already installed in the personal scope of this user.');
      installed.set(app.id, Buffer.from(`${user.id}##${app.id}`).toString('base64'));
      return { status: 201, headers: {} };
    }
    allowMethods(request, 'GET');
    this.requireTeamsPermission('teamsAppRead');
    const installations = [...installed].flatMap(([appId, id]) => {
      const app = catalog.find((candidate) => candidate.id === appId);
      return app ? [{ id, teamsApp: app }] : [];
    });
    if (installationId === undefined) {
      const expand = request.query.get('$expand');
      if (expand !== null && expand !== 'teamsApp')
        throw new GraphError(400, 'BadRequest', `Could not find a property named '${expand}' to expand.`);
      request.expandApplied = true;
      const view = (installation: { id: string; teamsApp: TeamsCatalogApp }) => {
        const { azureADAppId: _appId, ...teamsApp } = installation.teamsApp;
        return expand ? { id: installation.id, teamsApp } : { id: installation.id };
      };
      return this.collection(request, this.filtered(request, installations).map(view), {
        context: `users('${user.id}')/teamwork/installedApps`,
        defaultSize: 100,
        max: 100,
      });
    }
    if (navigation?.toLowerCase() !== 'chat') throw segmentNotFound(navigation ?? installationId);
    expectShape(request, more, 0);
    const unsupported = [...request.query.keys()].find((name) => name !== '$select');
    if (unsupported) throw new GraphError(400, 'BadRequest', `Query option '${unsupported}' is not supported.`);
    const installation = installations.find((candidate) => candidate.id === installationId);
    if (!installation) throw resourceNotFound(installationId);
    return ok({
      '@odata.context': this.context('chats/$entity'),
      id: `19:${installation.teamsApp.azureADAppId ?? installation.teamsApp.id}_${user.id}@unq.gbl.spaces`,
      chatType: 'oneOnOne',
    });
  }

  private requireTeamsPermission(area: 'teamsAppInstall' | 'teamsAppRead'): void {
    if (!this.granted(area))
      throw new GraphError(
        403,
        'Forbidden',
        `Missing role permissions on the request. API requires one of '${GRAPH_PERMISSIONS[area].anyOf.join(', ')}'. Roles on the request ''.`,
      );
  }

  // ---- shared query handling ----------------------------------------------------------------------

  private requirePermission(area: GraphPermissionArea): void {
    if (!this.granted(area))
      throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }

  private granted(area: GraphPermissionArea): boolean {
    return GRAPH_PERMISSIONS[area].anyOf.some((permission) => !this.denied.has(permission));
  }

  private filtered<T>(request: EmulatedRequest, items: T[]): T[] {
    const filterText = request.query.get('$filter');
    request.filterApplied = true;
    if (filterText === null) return items;
    const filter = parseFilter(filterText);
    return items.filter((item) => matchesFilter(filter, item));
  }

  /**
   * $filter, $search and $count on directory objects, with Graph's rule that advanced queries need
   * `ConsistencyLevel: eventual` (filters on relationships always count as advanced).
   */
  private queryDirectoryObjects<T>(
    request: EmulatedRequest,
    items: T[],
    options: { filterNeedsEventualConsistency: boolean },
  ): T[] {
    const eventual = (request.headers.consistencylevel ?? '').toLowerCase() === 'eventual';
    const filterText = request.query.get('$filter');
    const searchText = request.query.get('$search');
    request.filterApplied = true;
    request.countable = eventual;
    const filter: FilterExpression | undefined = filterText === null ? undefined : parseFilter(filterText);
    if (!eventual) {
      if (searchText !== null) {
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
        );
      }
      if (filter && (options.filterNeedsEventualConsistency || usesAdvancedOperators(filter)))
        throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
    }
    const search = searchText === null ? undefined : parseSearch(searchText);
    return items.filter((item) => (!filter || matchesFilter(filter, item)) && (!search || matchesSearch(search, item)));
  }

  private collection<T>(
    request: EmulatedRequest,
    items: T[],
    options: { context: string; defaultSize: number; max: number; view?: (item: T) => unknown },
  ): EmulatedResponse {
    // An endpoint that did not evaluate `$filter` refuses it rather than return everything.
    // https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries
    if (request.query.has('$filter') && !request.filterApplied)
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Unsupported or invalid query filter clause specified for resource '${options.context}'.`,
      );
    const size = parseTop(request.query.get('$top'), { defaultSize: options.defaultSize, max: options.max });
    const offset = decodeSkipToken(request.query.get('$skiptoken'));
    const page = items.slice(offset, offset + size);
    const body: Record<string, unknown> = { '@odata.context': this.context(options.context) };
    // On directory objects `$count` is honoured only in advanced queries (ConsistencyLevel: eventual);
    // without the header the request succeeds with no `@odata.count` ("might fail silently").
    // https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries
    if (request.query.get('$count') === 'true' && request.countable !== false) body['@odata.count'] = items.length;
    if (offset + size < items.length) {
      const next = new URLSearchParams(request.query);
      next.set('$skiptoken', encodeSkipToken(offset + size));
      const path = request.segments.map((segment) => encodeURIComponent(segment)).join('/');
      body['@odata.nextLink'] = `${this.baseUrl}/${path}?${next.toString()}`;
    }
    body.value = options.view ? page.map(options.view) : page;
    return ok(body);
  }

  private context(path: string): string {
    return `${this.baseUrl}/$metadata#${path}`;
  }
}

/** `methodsRegistered` values (userRegistrationDetails) for each authentication method type. */
const REGISTERED_METHOD: Record<string, string[]> = {
  microsoftAuthenticator: ['microsoftAuthenticatorPush'],
  fido2: ['fido2'],
  windowsHelloForBusiness: ['windowsHelloForBusiness'],
  phone: ['mobilePhone'],
  softwareOath: ['softwareOneTimePasscode'],
  hardwareOath: ['hardwareOneTimePasscode'],
  email: ['email'],
  temporaryAccessPass: ['temporaryAccessPass'],
  platformCredential: ['macOsSecureEnclaveKey'],
};

function methodKind(method: { '@odata.type'?: string }): string {
  return (method['@odata.type'] ?? '').replace(/^#?microsoft\.graph\./, '').replace(/AuthenticationMethod$/, '');
}

function ok(body: unknown): EmulatedResponse {
  return { status: 200, headers: {}, body };
}

function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new GraphError(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
}

function allowMethods(request: EmulatedRequest, ...methods: string[]): void {
  if (!methods.includes(request.method)) throw methodNotAllowed();
}

function expectShape(request: EmulatedRequest, rest: string[], length: number, method = 'GET'): void {
  if (rest.length > length) throw segmentNotFound(rest[length] ?? '');
  allowMethods(request, method);
}

function selectSuffix(select: string[] | undefined): string {
  return select ? `(${select.join(',')})` : '';
}

function groupFields(group: TenantGroup): Record<string, unknown> {
  const { memberIds: _memberIds, ...fields } = group;
  return fields;
}

/**
 * Turns a request target into a path relative to `/v1.0`. Copes with the Graph JS client's habit of
 * appending an `http://` nextLink to its base URL (`/v1.0/http://127.0.0.1:PORT/v1.0/users?...`).
 * Batch URLs are relative already (`/users/x` or `users/x`).
 */
function toVersionRelative(target: string, requireVersion: boolean): string {
  let current = target;
  for (;;) {
    const embedded = /^\/?v1\.0\/(https?:\/\/?.*)$/i.exec(current) ?? /^(https?:\/\/?.*)$/i.exec(current);
    if (embedded?.[1]) {
      const absolute = new URL(embedded[1].replace(/^(https?:)\/(?!\/)/i, '$1//'));
      current = absolute.pathname + absolute.search;
      continue;
    }
    break;
  }
  const versioned = /^\/?v1\.0(\/.*|$)/i.exec(current);
  if (versioned) return versioned[1] || '/';
  if (requireVersion)
    throw new GraphError(400, 'BadRequest', `Invalid version: ${current.split('/').filter(Boolean)[0] ?? ''}`);
  return current.startsWith('/') ? current : `/${current}`;
}

/** The path with its query percent-decoded, so recorded requests and fault patterns read like the docs. */
function readablePath(relative: string): string {
  try {
    const [path = '', query] = relative.split(/\?(.*)/s);
    return decodeURIComponent(path) + (query === undefined ? '' : `?${decodeURIComponent(query.replace(/\+/g, ' '))}`);
  } catch {
    return relative;
  }
}

export async function startGraphEmulator(options: GraphEmulatorOptions): Promise<GraphEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}
