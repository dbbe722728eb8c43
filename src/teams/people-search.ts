import type { Application } from '@microsoft/teams-ai';
import { type PeopleSearchDirectory, searchPeople } from '../app/people-search.js';
import type { Directory } from '../directory/directory.js';
import { errorSummary, type Logger } from '../log.js';
import { whoIsAsking } from './asker.js';
import { invokeResponseActivity, searchResponse } from './invoke-response.js';

/**
 * The bot's own typeahead dataset: an Input.ChoiceSet with `choices.data` {type: Data.Query,
 * dataset: PEOPLE_DATASET} makes Teams send `application/search` invokes as the person types
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search).
 * Not Teams' built-in graph.microsoft.com/users dataset: that one shows everyone's address to
 * anyone, and only Teams itself can answer it (the local chat page and the Playground cannot).
 */
export const PEOPLE_DATASET = 'ssar.people';

export function registerPeopleSearch(
  app: Application,
  deps: { directory: PeopleSearchDirectory & Pick<Directory, 'standing'>; log: Logger },
): void {
  app.adaptiveCards.search(PEOPLE_DATASET, async (context, _state, query) => {
    let results: Awaited<ReturnType<typeof searchPeople>> = [];
    try {
      const asker = await whoIsAsking(context, deps.directory);
      results = await searchPeople(
        deps.directory,
        asker,
        String(query.parameters.queryText ?? '').slice(0, 256),
        query.count,
      );
    } catch (error) {
      // A picker that shows nothing is the answer to a throttled or failed lookup; typing "check <name>" still works.
      deps.log.warn({ err: errorSummary(error) }, 'people search failed');
    }
    await context.sendActivity(invokeResponseActivity(searchResponse(results)));
    return results;
  });
}
