import { type Activity, ActivityTypes, type InvokeResponse } from 'botbuilder';
import type { AdaptiveCard } from './cards.js';

/**
 * The one place invoke responses are built. Teams reads an `adaptiveCard/action` response as
 * `{ statusCode, type, value }` with one of these MIME types:
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views
 */
export const MIME = {
  card: 'application/vnd.microsoft.card.adaptive',
  message: 'application/vnd.microsoft.activity.message',
} as const;

export type ActionResponseBody =
  | { statusCode: 200; type: typeof MIME.card; value: AdaptiveCard }
  | { statusCode: 200; type: typeof MIME.message; value: string };

/** A card that replaces the one clicked, or a short message that leaves it. */
export function actionResponse(result: AdaptiveCard | string): InvokeResponse<ActionResponseBody> {
  const body: ActionResponseBody =
    typeof result === 'string'
      ? { statusCode: 200, type: MIME.message, value: result }
      : { statusCode: 200, type: MIME.card, value: result };
  return { status: 200, body };
}

/**
 * The answer to an `application/search` invoke (dynamic typeahead): the choices to show, as
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search documents.
 */
export function searchResponse(results: { title: string; value: string }[]): InvokeResponse<{
  type: 'application/vnd.microsoft.search.searchResponse';
  value: { results: { title: string; value: string }[] };
}> {
  return { status: 200, body: { type: 'application/vnd.microsoft.search.searchResponse', value: { results } } };
}

/** An invoke this bot does not handle at all (not a card action): 400 with a machine-readable code. */
export function unsupportedInvoke(): InvokeResponse<{ error: { code: string; message: string } }> {
  return {
    status: 400,
    body: { error: { code: 'UnsupportedInvoke', message: 'This bot does not handle that invoke.' } },
  };
}

/**
 * The answer to a Bot Framework `healthCheck` invoke: 200 with `{ healthResults: { success, messages } }`,
 * the shape the Bot Framework SDKs define (botbuilder-dotnet libraries/Microsoft.Bot.Schema/HealthResults.cs,
 * botbuilder-python libraries/botbuilder-schema/botbuilder/schema/health_results.py). Those SDKs also echo
 * the connector's `authorization` header; this bot never puts a token in a response, so it leaves it out.
 */
export function healthCheckResponse(): InvokeResponse<{ healthResults: { success: true; messages: string[] } }> {
  return { status: 200, body: { healthResults: { success: true, messages: ['Health check succeeded.'] } } };
}

/** The activity that carries an invoke response back through the adapter. */
export function invokeResponseActivity(response: InvokeResponse): Partial<Activity> {
  return { type: ActivityTypes.InvokeResponse, value: response };
}
