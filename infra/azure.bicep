// ssar-helpdesk on Azure: a Linux App Service (Node 24 LTS) running `npm start`, a user-assigned
// managed identity that is the bot's identity (no bot secret) and the credential of the Graph app
// registration (federated, no secret), the Azure Bot with the Teams channel, and a storage account
// kept ready for the shared escalation store. Deployed by `teamsapp provision` (m365agents.yml).
// Check by hand with: az bicep build --file infra/azure.bicep

@maxLength(20)
@minLength(4)
@description('Used to name every resource in this file.')
param resourceBaseName string

@description('Azure region of the web app, plan, identity and storage; the bot registration is global.')
param location string = resourceGroup().location

@description('App Service plan size. B1 or larger: Always On is not available on the free tier.')
param webAppSku string = 'B1'

@maxLength(42)
@description('Name of the bot as the Azure Bot resource shows it.')
param botDisplayName string

@description('Azure Bot pricing tier; the Teams channel is free on F0.')
param botServiceSku string = 'F0'

@description('Client id of the Entra app registration that holds the Graph application permissions (aad.manifest.json).')
param graphClientId string

@description('Object id of the helpdesk security group: who may check anyone and request a pass.')
param helpdeskGroupId string = ''

@description('Object id of the approver group: who may approve a Temporary Access Pass besides the manager.')
param approverGroupId string = ''

@description('Comma-separated object ids of the SSAR groups, used only when Graph does not expose the recovery setup.')
param ssarGroupIds string = ''

@description('production or evaluation; the bot refuses to start on anything else.')
param ssarMode string = 'production'

@description('Escalation policy; empty keeps the bot default (see docs/deploy.md).')
param requestTtlMinutes string = ''
param allowPrivilegedWithTwoApprovers string = ''
param rateLimitPerRequesterPerHour string = ''
param rateLimitPerTargetPerHour string = ''

@description('fatal, error, warn, info or debug.')
param logLevel string = 'info'

@description('Redundancy of the storage account for the shared escalation store.')
param storageSku string = 'Standard_LRS'

var storageAccountName = toLower('st${uniqueString(resourceGroup().id, resourceBaseName)}')
var storageContainerName = 'ssar-helpdesk'
// Built-in role "Storage Blob Data Contributor".
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
// Built-in role "Monitoring Metrics Publisher": despite its name it publishes all telemetry to Application Insights
// (https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication).
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

@description('Days Log Analytics keeps the bot\'s traces, metrics and logs.')
param telemetryRetentionDays int = 30

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: resourceBaseName
  location: location
}

resource serverfarm 'Microsoft.Web/serverfarms@2022-03-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2022-03-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|24-lts'
      appCommandLine: 'npm start'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      // Liveness only: a missing admin consent must not make App Service restart the bot (see /readyz).
      healthCheckPath: '/healthz'
      appSettings: [
        {
          // Oryx installs the dependencies on Linux during zip deploy (tsx ships a platform binary).
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'true'
        }
        {
          // /home survives restarts and redeployments; DATA_DIR lives there.
          name: 'WEBSITES_ENABLE_APP_SERVICE_STORAGE'
          value: 'true'
        }
        {
          name: 'BOT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'BOT_TYPE'
          value: 'UserAssignedMSI'
        }
        {
          name: 'BOT_TENANT_ID'
          value: identity.properties.tenantId
        }
        {
          name: 'GRAPH_TENANT_ID'
          value: identity.properties.tenantId
        }
        {
          name: 'GRAPH_CLIENT_ID'
          value: graphClientId
        }
        {
          // The Graph app registration trusts this identity as a federated credential (docs/deploy.md step 4).
          name: 'MANAGED_IDENTITY_CLIENT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'HELPDESK_GROUP_ID'
          value: helpdeskGroupId
        }
        {
          name: 'APPROVER_GROUP_ID'
          value: approverGroupId
        }
        {
          name: 'SSAR_GROUP_IDS'
          value: ssarGroupIds
        }
        {
          name: 'SSAR_MODE'
          value: ssarMode
        }
        {
          name: 'REQUEST_TTL_MINUTES'
          value: requestTtlMinutes
        }
        {
          name: 'ALLOW_PRIVILEGED_WITH_TWO_APPROVERS'
          value: allowPrivilegedWithTwoApprovers
        }
        {
          name: 'RATE_LIMIT_PER_REQUESTER_PER_HOUR'
          value: rateLimitPerRequesterPerHour
        }
        {
          name: 'RATE_LIMIT_PER_TARGET_PER_HOUR'
          value: rateLimitPerTargetPerHour
        }
        {
          name: 'DATA_DIR'
          value: '/home/data'
        }
        {
          // The shared store, so several instances (scale-out, deployment slots) see the same requests;
          // reached with the managed identity's Storage Blob Data Contributor role below.
          name: 'STORAGE_ACCOUNT_URL'
          value: storageAccount.properties.primaryEndpoints.blob
        }
        {
          name: 'STORAGE_CONTAINER'
          value: storageContainerName
        }
        {
          name: 'LOG_LEVEL'
          value: logLevel
        }
        {
          // Starts the Azure Monitor OpenTelemetry distro (docs/operations.md); ingestion is authenticated
          // with the managed identity (MANAGED_IDENTITY_CLIENT_ID), local authentication is off.
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
      ]
    }
  }
}

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// The shared store (escalations, conversation references, bot state, audit trail): blob only, no
// public or key access, reached with the managed identity.
resource storageAccount 'Microsoft.Storage/storageAccounts@2022-09-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2022-09-01' = {
  parent: storageAccount
  name: 'default'
}

resource storageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2022-09-01' = {
  parent: blobService
  name: storageContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, identity.id, storageBlobDataContributorRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Workspace-based Application Insights: traces, metrics and logs of the bot, queried with KQL (docs/operations.md).
resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: resourceBaseName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: telemetryRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: resourceBaseName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Only telemetry signed by Entra ID (the bot's managed identity) is accepted: a leaked connection string cannot write.
    DisableLocalAuth: true
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, monitoringMetricsPublisherRoleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Written to env/.env.<environment> by the Toolkit (https://aka.ms/teamsfx-actions/arm-deploy).
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
// The target URL to register as the claim validation custom authentication extension (docs/deploy.md).
output RECOVERY_EXTENSION_URL string = 'https://${webApp.properties.defaultHostName}/api/recovery/claim-validation'
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output STORAGE_ACCOUNT_NAME string = storageAccount.name
output STORAGE_BLOB_ENDPOINT string = storageAccount.properties.primaryEndpoints.blob
output STORAGE_CONTAINER_NAME string = storageContainerName
output APPLICATIONINSIGHTS_RESOURCE_ID string = appInsights.id
