/**
 * The tenant an activity belongs to: Teams puts it in `conversation.tenantId` and, in older
 * clients, only in `channelData.tenant.id`. The one place both are read.
 */
export function tenantOf(
  activity: { conversation?: { tenantId?: string }; channelData?: { tenant?: { id?: string } } } | Record<string, any>,
): string | undefined {
  return activity.conversation?.tenantId ?? activity.channelData?.tenant?.id;
}
