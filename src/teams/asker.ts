import type { TurnContext } from 'botbuilder';
import type { Directory, Standing } from '../directory/directory.js';

/** Who is asking, decided once per turn from the authenticated activity, never from card data. */
export interface Asker extends Standing {
  id: string;
  name: string;
  tenantId: string;
}

export class NotAnOrganisationUser extends Error {
  constructor() {
    super('The activity carries no Entra object id for its sender');
    this.name = 'NotAnOrganisationUser';
  }
}

export async function whoIsAsking(context: TurnContext, directory: Directory): Promise<Asker> {
  const { from, conversation, channelData } = context.activity;
  const id = from?.aadObjectId;
  const tenantId = conversation?.tenantId ?? channelData?.tenant?.id;
  if (!id || !tenantId) throw new NotAnOrganisationUser();
  const standing = await directory.standing(id);
  return { id, name: from.name ?? 'someone', tenantId, ...standing };
}

export function isPersonalChat(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType === 'personal';
}
