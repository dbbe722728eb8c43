import {
  ClientAssertionCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { type Config, isLoopbackUrl, PUBLIC_GRAPH_BASE_URL } from './config.js';
import { tokenExchangeAudience } from './directory/cloud.js';

/**
 * Client secret when one is configured; else the app registration GRAPH_CLIENT_ID signed in with the
 * App Service's managed identity as its federated credential; else the managed identity itself.
 * None for an emulator.
 */
export function graphCredential(config: Config): TokenCredential | undefined {
  const { tenantId, clientId, clientSecret, baseUrl } = config.graph;
  if (isLoopbackUrl(baseUrl) || !tenantId) return undefined;
  const authorityHost = config.graph.authorityHost;
  if (clientId && clientSecret) return new ClientSecretCredential(tenantId, clientId, clientSecret, { authorityHost });
  const managedIdentityClientId = config.graph.managedIdentityClientId;
  if (clientId && managedIdentityClientId && clientId !== managedIdentityClientId) {
    // The app registration trusts the managed identity (a federated credential): no secret exists anywhere.
    const identity = new ManagedIdentityCredential({ clientId: managedIdentityClientId });
    const assertion = async () => (await identity.getToken(`${tokenExchangeAudience(authorityHost)}/.default`)).token;
    return new ClientAssertionCredential(tenantId, clientId, assertion, { authorityHost });
  }
  return new ManagedIdentityCredential(clientId ? { clientId } : {});
}

/**
 * The Verified ID Request Service takes a token from the same app registration or managed identity
 * as Graph (its role VerifiableCredential.Create.PresentRequest); none for a loopback emulator.
 */
export function requestServiceCredential(config: Config): TokenCredential | undefined {
  if (isLoopbackUrl(config.verification.requestServiceUrl)) return undefined;
  const asForGraph = graphCredential({ ...config, graph: { ...config.graph, baseUrl: PUBLIC_GRAPH_BASE_URL } });
  const clientId = config.graph.managedIdentityClientId;
  return asForGraph ?? new ManagedIdentityCredential(clientId ? { clientId } : {});
}
