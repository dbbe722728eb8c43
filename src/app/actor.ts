import type { Standing } from '../escalation/person.js';

/**
 * Who is acting, decided once per turn from the authenticated activity (`from.aadObjectId` and the
 * tenant id), never from card data. Every use case takes one.
 */
export interface Actor extends Standing {
  id: string;
  name: string;
  tenantId: string;
}
