/** The outcome of one eligibility check. */
export type Status = 'pass' | 'warn' | 'fail' | 'unknown';

// "unknown" ranks above "warn": a check the bot could not run must never read as nearly fine.
const severity: Record<Status, number> = { pass: 0, warn: 1, unknown: 2, fail: 3 };

/** The most severe of the given statuses (fail > unknown > warn > pass); `pass` for none. */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'pass';
  for (const status of statuses) if (severity[status] > severity[worst]) worst = status;
  return worst;
}

/** The least severe of the given statuses; `fail` for none. */
export function bestStatus(statuses: Iterable<Status>): Status {
  let best: Status = 'fail';
  for (const status of statuses) if (severity[status] < severity[best]) best = status;
  return best;
}
