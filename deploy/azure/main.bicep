// The GitOps.Orchestrations Functions app on Azure: a Flex Consumption Function App (.NET 10
// isolated) whose Durable Task hub, effect journal, audit log and approval key live in one storage
// account it reaches with its managed identity (no account key anywhere: shared-key access is off),
// with Application Insights, and optionally App Service authentication with Microsoft Entra ID.
// deploy/README.md and docs/functions.md walk through deploying it.

targetScope = 'resourceGroup'

@description('Base name of every resource; letters and digits, 3 to 16 characters.')
@minLength(3)
@maxLength(16)
param name string

@description('Region of every resource.')
param location string = resourceGroup().location

@description('Git repository holding the workflows (https URL the app can read).')
param workflowsRepository string

@description('Branch (or revision) runs start from.')
param workflowsRevision string = 'main'

@description('Folder of workflows inside the repository.')
param workflowsPath string = 'workflows'

@description('Task hub name: servers and this app that share it share the runs.')
param taskHub string = 'gitops'

@description('Days an ended run is kept.')
@minValue(1)
param retentionRunDays int = 30

@description('Days an audit entry is kept; 0 keeps them for ever.')
@minValue(0)
param retentionAuditDays int = 0

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Client id of the Microsoft Entra ID app registration that signs people in; empty leaves App Service authentication off (every API call then answers 401).')
param authClientId string = ''

@description('Tenant of that app registration.')
param authTenantId string = subscription().tenantId

var suffix = uniqueString(resourceGroup().id, name)
var storageName = take(toLower('${name}${suffix}'), 24)
var deploymentContainer = 'app-package'

// Built-in roles the app's identity needs on the account: the Durable Task hub uses blobs
// (leases, large messages), queues (work items) and tables (history, instances), and so do the
// engine's own records; the deployment package is a blob the platform reads.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${name}-id'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobs
  name: deploymentContainer
}

// The queue and container whose messages and blobs start runs (docs/events.md).
resource queues 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource eventsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = {
  parent: queues
  name: 'gitops-events'
}

resource eventsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobs
  name: 'gitops-events'
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor]: {
  name: guid(storage.id, identity.id, role)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: '${name}-logs'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: '${name}-plan'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// The settings the app reads (docs/functions.md); tests check this list against the app's code.
var appSettings = [
  { name: 'AzureWebJobsStorage__accountName', value: storage.name }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
  { name: 'GITOPS_TASK_HUB', value: taskHub }
  { name: 'GITOPS_WORKFLOWS_REPO', value: workflowsRepository }
  { name: 'GITOPS_WORKFLOWS_REVISION', value: workflowsRevision }
  { name: 'GITOPS_WORKFLOWS_PATH', value: workflowsPath }
  { name: 'GITOPS_CACHE_DIR', value: '/tmp/gitops-cache' }
  { name: 'GITOPS_RETENTION_RUN_DAYS', value: string(retentionRunDays) }
  { name: 'GITOPS_EVENTS_QUEUE', value: eventsQueue.name }
  // The app's own dashboard, for the links in notifications: its default host name is its name's.
  { name: 'GITOPS_DASHBOARD_URL', value: 'https://${name}-${suffix}.azurewebsites.net/api/ui/' }
  { name: 'GITOPS_EVENTS_CONTAINER', value: eventsContainer.name }
]

var auditSetting = retentionAuditDays > 0 ? [{ name: 'GITOPS_RETENTION_AUDIT_DAYS', value: string(retentionAuditDays) }] : []

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: '${name}-${suffix}'
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat(appSettings, auditSetting)
    }
  }
  dependsOn: [
    storageRoles
    packages
  ]
}

// People sign in with Microsoft Entra ID; the app reads who they are, their app roles (viewer,
// operator, approver) and groups from the principal App Service authentication passes on.
resource auth 'Microsoft.Web/sites/config@2025-03-01' = if (!empty(authClientId)) {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
          ]
        }
      }
    }
  }
}

@description('The app\'s base URL; the API is under /api.')
output url string = 'https://${app.properties.defaultHostName}'

@description('The dashboard.')
output dashboardUrl string = 'https://${app.properties.defaultHostName}/api/ui/'

@description('The Function App\'s name, for az functionapp deployment.')
output functionAppName string = app.name

@description('The storage account of the task hub; self-hosted servers that share the hub use it too.')
output storageAccountName string = storage.name

@description('The app\'s managed identity (its client id), which holds the storage roles.')
output identityClientId string = identity.properties.clientId
