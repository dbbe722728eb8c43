import type * as Graph from '@microsoft/microsoft-graph-types';

// Service plans that carry Entra ID P1 features, by id (names can be localised or renamed).
export const ENTRA_PREMIUM_PLANS: Record<string, string> = {
  '41781fb2-bc02-4b7c-bd55-b576c07bb09d': 'AAD_PREMIUM',
  'eec0eb4f-6444-4f95-aba0-50c24d67f998': 'AAD_PREMIUM_P2',
};

export const premiumPlanName = (plan: Graph.ServicePlanInfo): string | undefined =>
  ENTRA_PREMIUM_PLANS[plan.servicePlanId?.toLowerCase() ?? ''];

/**
 * A user's licence details as `/users/{id}/licenseDetails` returns them, from their `assignedLicenses`
 * and the tenant's SKUs (for a whole group at once, where one read per member would not fit):
 * each assigned SKU's service plans less its disabled plans.
 * https://learn.microsoft.com/graph/api/user-list-licensedetails
 */
export function licenceDetailsFrom(
  assigned: Graph.AssignedLicense[],
  skus: Graph.SubscribedSku[],
): Graph.LicenseDetails[] {
  return assigned.flatMap((licence) => {
    const sku = skus.find((candidate) => candidate.skuId === licence.skuId);
    if (!sku) return [];
    const disabled = new Set(licence.disabledPlans ?? []);
    return [
      {
        skuId: sku.skuId,
        skuPartNumber: sku.skuPartNumber,
        servicePlans: (sku.servicePlans ?? []).filter((plan) => !disabled.has(plan.servicePlanId ?? '')),
      },
    ];
  });
}
