/**
 * Azure Monitor (Application Insights) through Microsoft's OpenTelemetry distro
 * (https://learn.microsoft.com/javascript/api/overview/azure/monitor-opentelemetry-readme), started
 * only when APPLICATIONINSIGHTS_CONNECTION_STRING is set. Unset, the distro is not even loaded:
 * no exporter, no background timers, no cost.
 */
export async function startAzureMonitor(env: NodeJS.ProcessEnv): Promise<boolean> {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return false;
  const [{ useAzureMonitor }, { ManagedIdentityCredential }] = await Promise.all([
    import('@azure/monitor-opentelemetry'),
    import('@azure/identity'),
  ]);
  const managedIdentityClientId = env.MANAGED_IDENTITY_CLIENT_ID?.trim();
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString,
      // Entra ID authenticated ingestion with the App Service's identity (Monitoring Metrics Publisher, infra/azure.bicep).
      ...(managedIdentityClientId
        ? { credential: new ManagedIdentityCredential({ clientId: managedIdentityClientId }) }
        : {}),
    },
    // Off: the automatic HTTP and Azure SDK spans would carry full URLs (a Graph $filter holds a sign-in
    // name, a blob name an object id). The bot's own spans (src/telemetry) cover those calls by template.
    instrumentationOptions: {
      azureSdk: { enabled: false },
      http: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
      console: { enabled: false },
    },
  });
  return true;
}
