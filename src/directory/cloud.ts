/**
 * The audience a managed identity's token must carry when it is exchanged as an app registration's
 * federated credential. It differs per cloud, and the federated credential in the registration must
 * name the same one ("Configure an application to trust a managed identity",
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity):
 * public `api://AzureADTokenExchange`, US Government `api://AzureADTokenExchangeUSGov`, China
 * (21Vianet) `api://AzureADTokenExchangeChina`. The cloud is read from the sign-in host.
 */
export function tokenExchangeAudience(authorityHost: string | undefined): string {
  const host = authorityHost ? new URL(authorityHost).hostname.toLowerCase() : 'login.microsoftonline.com';
  if (host.endsWith('.us')) return 'api://AzureADTokenExchangeUSGov';
  if (host.endsWith('.cn')) return 'api://AzureADTokenExchangeChina';
  return 'api://AzureADTokenExchange';
}
