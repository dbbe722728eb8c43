import type { Clock } from '../clock.js';

/*
 * The bot's own account of the Graph budgets it spends, so that background work (the readiness
 * report) paces itself instead of running into 429s, and a share of each budget stays free for
 * people waiting in chat. Limits per app per tenant, from "Identity and access reports service
 * limits" (https://learn.microsoft.com/graph/throttling-limits): 5 requests per 10 s to the reports
 * resources (directory audits, authentication methods, the authentication-methods reports) and
 * 10 requests per minute that select signInActivity; a `$batch` item counts like a request. The
 * general identity resource-unit budget (thousands of units per 10 s) is far above what the bot
 * spends and is left to the server's 429s.
 */

export type BudgetName = 'reports' | 'signInActivity';
export type Priority = 'interactive' | 'background';

export interface BudgetLimit {
  requests: number;
  windowMs: number;
  /** Requests per window that background work leaves for interactive checks. */
  reservedForInteractive: number;
}

export const DOCUMENTED_BUDGETS: Record<BudgetName, BudgetLimit> = {
  reports: { requests: 5, windowMs: 10_000, reservedForInteractive: 1 },
  signInActivity: { requests: 10, windowMs: 60_000, reservedForInteractive: 1 },
};

/** For an emulator that enforces no budgets (the demo tenant, suites not about cost). */
export const NO_BUDGETS: Record<BudgetName, BudgetLimit> = {
  reports: { requests: Infinity, windowMs: 10_000, reservedForInteractive: 0 },
  signInActivity: { requests: Infinity, windowMs: 60_000, reservedForInteractive: 0 },
};

export const BUDGET_DESCRIPTIONS: Record<BudgetName, string> = {
  reports: "Graph's reports limit (audit log and authentication methods)",
  signInActivity: "Graph's sign-in activity limit",
};

/** Which documented budget a Graph request (path relative to the version root) draws on, if any. */
export function budgetOf(path: string): BudgetName | undefined {
  const [pathPart = '', query = ''] = path.split('?');
  const decodedQuery = safeDecode(query).toLowerCase();
  const segments = pathPart
    .split('/')
    .filter(Boolean)
    .map((segment) => safeDecode(segment).toLowerCase());
  const [root = ''] = segments;
  if (root.startsWith('users') && /(^|&)\$(select|filter)=[^&]*signinactivity/.test(decodedQuery))
    return 'signInActivity';
  if (root === 'auditlogs' || (root === 'reports' && segments[1] === 'authenticationmethods')) return 'reports';
  if (root.startsWith('users') && segments.includes('authentication')) return 'reports';
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number; budget: BudgetName };

/**
 * A sliding-window account of each budget, shared by every Graph client of one app in one tenant.
 * Admission is decided and recorded in one synchronous step, so concurrent callers cannot overbook.
 */
export class GraphBudget {
  private readonly sent: Record<BudgetName, number[]> = { reports: [], signInActivity: [] };
  /** Until when Graph told us (429 + Retry-After) to leave a budget alone. */
  private readonly pausedUntil: Record<BudgetName, number> = { reports: 0, signInActivity: 0 };
  private waiting?: { budget: BudgetName; until: number };
  private readonly waitListeners = new Set<(budget: BudgetName, ms: number) => void>();

  constructor(
    readonly clock: Clock,
    private readonly limits: Record<BudgetName, BudgetLimit> = DOCUMENTED_BUDGETS,
    /** Added to each window: the server counts a request when it arrives, a little after we send it. */
    private readonly marginMs = 500,
  ) {}

  /** Admits `counts` requests now, or says how long until they would fit for this priority. */
  tryAdmit(counts: Partial<Record<BudgetName, number>>, priority: Priority): Admission {
    const now = this.clock.now();
    let wait = 0;
    let blocking: BudgetName | undefined;
    for (const [budget, wanted] of Object.entries(counts) as [BudgetName, number][]) {
      if (!wanted) continue;
      const need = this.waitFor(budget, wanted, priority, now);
      if (need > wait) {
        wait = need;
        blocking = budget;
      }
    }
    if (wait > 0) return { admitted: false, retryAfterMs: wait, budget: blocking! };
    for (const [budget, wanted] of Object.entries(counts) as [BudgetName, number][]) {
      for (let i = 0; i < (wanted ?? 0); i++) this.sent[budget].push(now);
    }
    return { admitted: true };
  }

  /** Waits (on the clock) until `counts` fit for background work, then admits them. */
  async admitBackground(counts: Partial<Record<BudgetName, number>>, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const admission = this.tryAdmit(counts, 'background');
      if (admission.admitted) {
        this.waiting = undefined;
        return;
      }
      this.waiting = { budget: admission.budget, until: this.clock.now() + admission.retryAfterMs };
      for (const listener of this.waitListeners) listener(admission.budget, admission.retryAfterMs);
      await this.clock.sleep(admission.retryAfterMs, signal);
    }
  }

  /** Told each time background work starts waiting for a budget; returns the unsubscribe. */
  onWait(listener: (budget: BudgetName, ms: number) => void): () => void {
    this.waitListeners.add(listener);
    return () => this.waitListeners.delete(listener);
  }

  /** Graph answered 429: nothing more for this budget until Retry-After has passed. */
  pause(budget: BudgetName, ms: number): void {
    this.pausedUntil[budget] = Math.max(this.pausedUntil[budget], this.clock.now() + ms);
    for (const listener of this.waitListeners) listener(budget, ms);
  }

  /** What background work is waiting for right now, for the progress card. */
  currentWait(): { budget: BudgetName; seconds: number } | undefined {
    if (!this.waiting) return undefined;
    const seconds = Math.ceil((this.waiting.until - this.clock.now()) / 1000);
    return seconds > 0 ? { budget: this.waiting.budget, seconds } : undefined;
  }

  /** Requests per millisecond background work may spend on a budget. */
  backgroundRate(budget: BudgetName): number {
    const limit = this.limits[budget];
    return Math.max(1, limit.requests - limit.reservedForInteractive) / (limit.windowMs + this.marginMs);
  }

  private waitFor(budget: BudgetName, wanted: number, priority: Priority, now: number): number {
    const limit = this.limits[budget];
    const window = limit.windowMs + this.marginMs;
    const times = this.sent[budget];
    while (times.length > 0 && times[0]! <= now - window) times.shift();
    const capacity =
      priority === 'background' ? Math.max(1, limit.requests - limit.reservedForInteractive) : limit.requests;
    const paused = Math.max(0, this.pausedUntil[budget] - now);
    // More than a window holds is admitted once the window is empty; Graph throttles the rest.
    const fits = Math.min(wanted, capacity);
    const excess = times.length + fits - capacity;
    const windowWait = excess <= 0 ? 0 : times[excess - 1]! + window - now;
    return Math.max(paused, windowWait);
  }
}
