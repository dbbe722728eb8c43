import type { TurnContext } from 'botbuilder';
import { tenantOf } from '../activity.js';
import type { Actor } from '../app/actor.js';
import type { Directory } from '../directory/directory.js';

/** The actor of this turn, as the Teams layer calls it. */
export type Asker = Actor;

export class NotAnOrganisationUser extends Error {
  constructor() {
    super('The activity carries no Entra object id for its sender');
    this.name = 'NotAnOrganisationUser';
  }
}

/** Decided once per turn from the authenticated activity, never from card data. */
export async function whoIsAsking(context: TurnContext, directory: Pick<Directory, 'standing'>): Promise<Asker> {
  const { from } = context.activity;
  const id = from?.aadObjectId;
  const tenantId = tenantOf(context.activity);
  if (!id || !tenantId) throw new NotAnOrganisationUser();
  const standing = await directory.standing(id);
  return { id, name: from.name ?? 'someone', tenantId, ...standing };
}

export function isPersonalChat(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType === 'personal';
}
