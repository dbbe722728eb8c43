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
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const issue of parsed.validateProperties().validationEvents) problems.push(issue.message);
  const json = JSON.stringify(card);
  if ((card as { version?: string }).version !== '1.5') problems.push(`version is ${(card as { version?: string }).version}, expected 1.5`);
  for (const unbound of json.match(/\$\{[^}]*\}/g) ?? []) problems.push(`unbound template expression ${unbound}`);
  return problems;
}
