/** A person as Teams authenticated them: `id` is the Entra object id, never something typed into a card. */
export interface Person {
  id: string;
  name: string;
}

/** Object ids come from different sources (Teams, Graph) that may differ in letter case. */
export const samePerson = (a: { id: string }, b: { id: string }): boolean =>
  a.id.trim().toLowerCase() === b.id.trim().toLowerCase();

/** What the bot's own groups (helpdesk, approvers) say about a person; decided from Graph, never from card data. */
export interface Standing {
  isHelpdeskAgent: boolean;
  isApprover: boolean;
}
