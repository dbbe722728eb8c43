/**
 * Every collection the bot keeps in its document store, and how each key is built. The names are
 * what is on disk or in the blob container: renaming one orphans what is stored under it.
 */
export const COLLECTIONS = {
  /** One record per request for a pass (src/escalation/state-machine.ts). */
  requests: 'escalations',
  /** One small document per request that is not closed yet: what the sweep walks, instead of all history. */
  openRequests: 'escalations-open',
  /** Per target: the one open request, so a second cannot be filed while it is open. */
  openTargets: 'escalations-open-targets',
  /** Per requester and per target: the filings of the last hour, for the rate limits. */
  filingCounters: 'escalation-filings',
  /** Which request created each pass method (ids only, never the code), so a sweep never deletes another request's pass. */
  passMethods: 'pass-methods',
  /** One-off changes to what is stored, each recorded once done. */
  migrations: 'migrations',
  /** Who was told how a request ended, so each is told once. */
  outcomeNotices: 'outcome-notices',
  /** Per request: the reminder and the widening sent while it waited, so each happens once across instances. */
  approvalNudges: 'approval-nudges',
  /** Which message in whose 1:1 chat holds each live card of a request (ids only); named when it held approval cards only. */
  liveCards: 'approval-cards',
  /** Each person's 1:1 chat with the bot (a Bot Framework conversation reference). */
  conversations: 'conversations',
  verificationSessions: 'verification-sessions',
  /** Per request: its latest caller verification session. */
  verificationByRequest: 'verification-by-request',
  readinessJobs: 'readiness-jobs',
  /** Per agent: the one readiness report they have running. */
  readinessAgents: 'readiness-agents',
  /** Finished readiness reports waiting for the agent to accept the file. */
  readinessOffers: 'readiness-offers',
  /** A readiness scan's bulk pages, so another instance continues where it stopped. */
  readinessPages: 'readiness-pages',
  /** Claim validation attempts Entra sent (src/recovery-extension/), per user and correlation id. */
  recoveryAttempts: 'recovery-attempts',
  /** Team channels where an agent asked to see claim validation attempts as they happen. */
  recoveryFeeds: 'recovery-feeds',
  /** Per colleague and person: when the colleague last asked the helpdesk to help that person (no verdict, no details). */
  helpdeskAsks: 'helpdesk-asks',
  /** Documents written and deleted again by the /readyz probe. */
  readinessProbes: 'readiness-probes',
} as const;

/** The one append-only log: every state change of a request and every refused action on one. */
export const AUDIT_LOG = 'audit';

const lower = (id: string) => id.toLowerCase();

/** Keys, per collection. Object ids from Teams and Graph may differ in letter case, so person ids are lowered. */
export const keys = {
  /** requests, openRequests */
  request: (tenantId: string, requestId: string) => `${tenantId}:${requestId}`,
  /** Every request of a tenant (a key prefix). */
  requestsOf: (tenantId: string) => `${tenantId}:`,
  openTarget: (tenantId: string, targetId: string) => `${tenantId}:${lower(targetId)}`,
  filingsByRequester: (tenantId: string, requesterId: string) => `${tenantId}:requester:${lower(requesterId)}`,
  filingsForTarget: (tenantId: string, targetId: string) => `${tenantId}:target:${lower(targetId)}`,
  passMethod: (tenantId: string, methodId: string) => `${tenantId}:${methodId}`,
  /** The form a request was filed from (the agent and the card instance), so the same form files once. */
  filingForm: (agentId: string, formId: string) => `${lower(agentId)}:${formId}`,
  outcomeNotice: (tenantId: string, requestId: string, to: 'handed-over' | 'target') =>
    `${tenantId}:${requestId}:${to}`,
  approvalNudge: (tenantId: string, requestId: string, step: 'remind' | 'widen') => `${tenantId}:${requestId}:${step}`,
  liveCard: (tenantId: string, requestId: string, personId: string) =>
    `${keys.liveCardsOf(tenantId, requestId)}${lower(personId)}`,
  liveCardsOf: (tenantId: string, requestId: string) => `${tenantId}:${requestId}:`,
  conversation: (tenantId: string, userId: string) => `${tenantId}:${lower(userId)}`,
  /** Every saved 1:1 chat of a tenant (a key prefix). */
  conversationsOf: (tenantId: string) => `${tenantId}:`,
  verificationByRequest: (tenantId: string, requestId: string) => `${tenantId}:${requestId}`,
  readinessPage: (jobId: string, stream: string, index: number) =>
    `${keys.readinessPagesOf(jobId)}${stream}.${String(index).padStart(6, '0')}`,
  readinessPagesOf: (jobId: string) => `${jobId}.`,
  recoveryAttempt: (userPrincipalName: string, correlationId: string) =>
    `${keys.recoveryAttemptsOf(userPrincipalName)}${correlationId}`,
  recoveryAttemptsOf: (userPrincipalName: string) => `${lower(userPrincipalName)}/`,
  recoveryFeed: (tenantId: string, conversationId: string) => `${tenantId}:${conversationId}`,
  recoveryFeedsOf: (tenantId: string) => `${tenantId}:`,
  helpdeskAsk: (tenantId: string, askerId: string, targetId: string) =>
    `${tenantId}:${lower(askerId)}:${lower(targetId)}`,
} as const;
