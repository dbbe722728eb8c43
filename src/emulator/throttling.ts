import type { Clock } from '../clock.js';

/*
 * The throttling budgets Microsoft Graph documents for the calls this bot makes, per app per
 * tenant (one emulator = one app in one tenant), from "Microsoft Graph service-specific throttling
 * limits", https://learn.microsoft.com/graph/throttling-limits:
 *
 * - "Identity and access reports service limits": 5 requests per 10 seconds to the reports
 *   resources, among them auditLogRoot / directoryAudit, authenticationMethod and the
 *   authentication-methods reports (credentialUserRegistrationDetails, userRegistrationDetails),
 *   and 10 requests per minute that select or filter on signInActivity
 *   (includes/throttling-entra-logs-reports.md, microsoftgraph/microsoft-graph-docs-contrib#9591).
 * - "Identity and access service limits": a token bucket of resource units per application+tenant
 *   pair, 3,500 / 5,000 / 8,000 per 10 seconds for tenants under 50 / 50 to 500 / over 500 users,
 *   each request costing its base cost (GET users 2, groups/{id}/members 3,
 *   groups/{id}/transitiveMembers 5, subscribedSkus 3, checkMemberGroups 4, memberOf and
 *   transitiveMemberOf 2, anything else 1), minus 1 with $select, plus 1 with $expand, minus 1 with
 *   $top under 20, never below 1.
 *
 * Requests inside a `$batch` are each counted (json-batching: "individual requests are evaluated
 * against throttling limits"); the envelope itself is not. A throttled request gets 429 with the
 * Retry-After, in seconds, after which it would fit. Graph may also throttle below these limits
 * under load; the emulator does not model that.
 */

export interface BudgetLimits {
  /** Reports resources: requests per window. */
  reports: { requests: number; windowMs: number };
  /** Requests that select or filter on signInActivity. */
  signInActivity: { requests: number; windowMs: number };
  /** Resource units per window for the application+tenant pair; by tenant size unless given. */
  resourceUnits?: { units: number; windowMs: number };
}

export const DOCUMENTED_LIMITS: BudgetLimits = {
  reports: { requests: 5, windowMs: 10_000 },
  signInActivity: { requests: 10, windowMs: 60_000 },
};

export type BudgetName = 'reports' | 'signInActivity' | 'resourceUnits';

export interface Throttled {
  budget: BudgetName;
  retryAfterSeconds: number;
  /** `x-ms-throttle-scope` and `x-ms-throttle-information`, as Graph sends them for identity limits. */
  headers: Record<string, string>;
}

/** The documented resource-unit quota for a tenant of this many users. */
export function resourceUnitQuota(tenantUsers: number): number {
  if (tenantUsers < 50) return 3_500;
  if (tenantUsers <= 500) return 5_000;
  return 8_000;
}

/** Which budget a request (path relative to /v1.0, query decoded) draws on, and at what cost. */
export function classify(method: string, path: string, query: URLSearchParams): { budget: BudgetName; cost: number } {
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.toLowerCase());
  const [root = '', , navigation] = segments;
  const mentions = (option: string) => (query.get(option) ?? '').toLowerCase().includes('signinactivity');
  if (root.startsWith('users') && (mentions('$select') || mentions('$filter')))
    return { budget: 'signInActivity', cost: 1 };
  if (root === 'auditlogs' || (root === 'reports' && segments[1] === 'authenticationmethods'))
    return { budget: 'reports', cost: 1 };
  if (root.startsWith('users') && segments.includes('authentication')) return { budget: 'reports', cost: 1 };
  let cost = 1;
  const upper = method.toUpperCase();
  if (upper === 'GET' && root === 'users' && segments.length === 1) cost = 2;
  else if (upper === 'GET' && root === 'subscribedskus') cost = 3;
  else if (upper === 'GET' && root === 'groups' && navigation === 'members') cost = 3;
  else if (upper === 'GET' && root === 'groups' && navigation === 'transitivemembers') cost = 5;
  else if (
    upper === 'GET' &&
    root.startsWith('users') &&
    (navigation === 'memberof' || navigation === 'transitivememberof')
  )
    cost = 2;
  else if (upper === 'POST' && root.startsWith('users') && navigation === 'checkmembergroups') cost = 4;
  if (query.has('$select')) cost -= 1;
  if (query.has('$expand')) cost += 1;
  const top = Number(query.get('$top'));
  if (query.has('$top') && Number.isFinite(top) && top < 20) cost -= 1;
  return { budget: 'resourceUnits', cost: Math.max(1, cost) };
}

/** Requests counted in a sliding window: at most `limit` in any `windowMs`. */
class SlidingWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts the request and returns 0, or returns how long until it would fit (nothing counted). */
  take(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift();
    if (this.times.length < this.limit) {
      this.times.push(now);
      return 0;
    }
    return this.times[0]! + this.windowMs - now;
  }
}

/** Graph's token bucket: refills continuously at `units` per `windowMs`, holds at most `units`. */
class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly units: number,
    private readonly windowMs: number,
    now: number,
  ) {
    this.tokens = units;
    this.updatedAt = now;
  }

  take(cost: number, now: number): number {
    this.tokens = Math.min(this.units, this.tokens + ((now - this.updatedAt) * this.units) / this.windowMs);
    this.updatedAt = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return 0;
    }
    return ((cost - this.tokens) * this.windowMs) / this.units;
  }
}

export interface BudgetOptions {
  clock: Clock;
  limits?: Partial<BudgetLimits>;
  /** Users in the tenant, for the resource-unit quota. */
  tenantUsers: () => number;
}

/** Every documented budget of one app in one tenant. `charge` is the emulator's single hook. */
export class ThrottlingBudgets {
  private readonly reports: SlidingWindow;
  private readonly signInActivity: SlidingWindow;
  private resourceUnits?: TokenBucket;
  private readonly limits: BudgetLimits;
  readonly throttledCount: Record<BudgetName, number> = { reports: 0, signInActivity: 0, resourceUnits: 0 };
  readonly chargedCount: Record<BudgetName, number> = { reports: 0, signInActivity: 0, resourceUnits: 0 };

  constructor(private readonly options: BudgetOptions) {
    this.limits = { ...DOCUMENTED_LIMITS, ...options.limits };
    this.reports = new SlidingWindow(this.limits.reports.requests, this.limits.reports.windowMs);
    this.signInActivity = new SlidingWindow(this.limits.signInActivity.requests, this.limits.signInActivity.windowMs);
  }

  /** Counts one request against its budget; undefined when it fits, else the 429 Graph would send. */
  charge(method: string, path: string, query: URLSearchParams): Throttled | undefined {
    const now = this.options.clock.now();
    const { budget, cost } = classify(method, path, query);
    const waitMs =
      budget === 'reports'
        ? this.reports.take(now)
        : budget === 'signInActivity'
          ? this.signInActivity.take(now)
          : this.bucket(now).take(cost, now);
    if (waitMs <= 0) {
      this.chargedCount[budget] += 1;
      return undefined;
    }
    this.throttledCount[budget] += 1;
    const headers: Record<string, string> =
      budget === 'resourceUnits'
        ? {
            'x-ms-throttle-scope': 'Tenant_Application/Read/emulator/emulator',
            'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
          }
        : {};
    return { budget, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), headers };
  }

  private bucket(now: number): TokenBucket {
    if (!this.resourceUnits) {
      const quota = this.limits.resourceUnits ?? {
        units: resourceUnitQuota(this.options.tenantUsers()),
        windowMs: 10_000,
      };
      this.resourceUnits = new TokenBucket(quota.units, quota.windowMs, now);
    }
    return this.resourceUnits;
  }
}
