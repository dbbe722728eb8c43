import { GraphRequestError } from './graph.js';

/*
 * The one place a failed Graph request becomes words for a person. Each answer has two forms from
 * the same case: `reason`, a phrase that completes "unknown: …" or "could not be created: …", and
 * `message`, a sentence for an error card (English with `${name}` placeholders, so the Teams layer
 * translates it as it does every message). Nothing here names a user, a token or a request body.
 */

export interface GraphTroubleWords {
  reason: string;
  message: string;
  values: Record<string, string | number>;
}

/** The sentences for an error card, by case; the Teams layer translates them by their English text. */
export const GRAPH_TROUBLE_MESSAGES = {
  unreadable: 'The directory could not be read. Nothing was changed; try again in a minute.',
  licence: 'This needs an Entra ID P1 or P2 licence in the tenant. Nothing was changed; tell your Teams administrator.',
  permission:
    'The bot is missing a Microsoft Graph permission for this. Nothing was changed; tell your Teams administrator.',
  throttled: 'Microsoft Graph is busy (throttling). Nothing was changed; try again in a minute.',
  unreachable: 'Microsoft Graph could not be reached. Nothing was changed; try again in a minute.',
  answered: 'Microsoft Graph answered ${status}. Nothing was changed; try again in a minute.',
} as const;

/** Graph's answer for a tenant without Entra ID P1/P2 (or a B2C tenant) on the premium reports: a licence problem, not consent. */
const NON_PREMIUM_TENANT = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';

/** `permission` names what the request needed, for a 403. */
export function graphTrouble(error: unknown, permission?: string): GraphTroubleWords {
  if (!(error instanceof GraphRequestError))
    return {
      reason: 'the directory could not be read',
      message: GRAPH_TROUBLE_MESSAGES.unreadable,
      values: {},
    };
  const { status, code } = error;
  if (code === NON_PREMIUM_TENANT)
    return {
      reason: `needs an Entra ID P1 or P2 licence in the tenant (Graph answered ${NON_PREMIUM_TENANT})`,
      message:
        'This needs an Entra ID P1 or P2 licence in the tenant. Nothing was changed; tell your Teams administrator.',
      values: {},
    };
  if (error.isPermissionDenied)
    return {
      reason: permission ? `needs ${permission}` : 'needs a Microsoft Graph permission the bot was not granted',
      message: GRAPH_TROUBLE_MESSAGES.permission,
      values: {},
    };
  if (error.isThrottled)
    return {
      reason: `Graph is throttling, retry in ${error.retryAfterSeconds ?? 60} s`,
      message: GRAPH_TROUBLE_MESSAGES.throttled,
      values: {},
    };
  if (status === 0)
    return {
      reason: 'Microsoft Graph could not be reached',
      message: GRAPH_TROUBLE_MESSAGES.unreachable,
      values: {},
    };
  return {
    reason:
      status >= 500
        ? `Microsoft Graph had an error (${status}); try again`
        : `Microsoft Graph answered ${status} ${code}`,
    message: GRAPH_TROUBLE_MESSAGES.answered,
    values: { status },
  };
}
