import * as AC from 'adaptivecards';

/**
 * Problems the official Adaptive Cards renderer finds when it parses a card as version 1.5:
 * unknown elements or actions, invalid property values, duplicate input ids.
 */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  parsed.parse(card as AC.PropertyBag, context);
  const allowed = teamsTypeaheadAllowances(card);
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const issue of parsed.validateProperties().validationEvents) problems.push(issue.message);
  for (let i = problems.length - 1; i >= 0; i--) if (allowed.has(problems[i]!)) problems.splice(i, 1);
  const json = JSON.stringify(card);
  if ((card as { version?: string }).version !== '1.5')
    problems.push(`version is ${(card as { version?: string }).version}, expected 1.5`);
  for (const unbound of json.match(/\$\{[^}]*\}/g) ?? []) problems.push(`unbound template expression ${unbound}`);
  return problems;
}

/**
 * Teams' dynamic typeahead (`choices.data` of type Data.Query on an Input.ChoiceSet, choices fetched
 * through the bot's `application/search` invoke) is a Teams extension Teams documents for cards of
 * any version, with no static choices needed:
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search
 * The renderer knows it only from schema 1.6, so exactly those two complaints are let through, and
 * only for a card that has such an input.
 */
function teamsTypeaheadAllowances(card: unknown): Set<string> {
  const json = JSON.stringify(card);
  if (!/"choices\.data":\{"type":"Data\.Query","dataset":"[^"]+"/.test(json)) return new Set();
  return new Set([
    'Property "choices.data" is supported in version 1.6, but you are using version 1.5.',
    'An Input.ChoiceSet must have at least one choice defined.',
  ]);
}
