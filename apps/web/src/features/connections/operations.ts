import { graphql } from "@/gql";

export const SyncRunFields = graphql(`
  fragment SyncRunFields on SyncRun {
    id
    connectionId
    trigger
    status
    objectsSeen
    objectsTotal
    percent
    added
    updated
    disabled
    reenabled
    registered
    error
    requestedAt
    startedAt
    finishedAt
  }
`);

export const ConnectionsQuery = graphql(`
  query Connections {
    connections {
      id
      name
      kind
      description
      syncIntervalMinutes
      autoRegister
      nextSyncAt
      lastSyncedAt
      dataSourceCount
      latestSyncRun {
        ...SyncRunFields
      }
    }
  }
`);

export const ConnectionDetailQuery = graphql(`
  query ConnectionDetail($id: ID!) {
    connection(id: $id) {
      id
      name
      kind
      description
      config
      hasCredentials
      syncIntervalMinutes
      autoRegister
      nextSyncAt
      lastSyncedAt
      inboundWebhookPath
      dataSourceCount
      createdAt
      updatedAt
      decisionClient {
        tokenIssuedAt
        files {
          fileName
          content
        }
      }
      dataOwners {
        id
        username
        displayName
      }
      latestSyncRun {
        ...SyncRunFields
      }
      syncRuns(first: 25) {
        ...SyncRunFields
      }
    }
  }
`);

export const SyncRunQuery = graphql(`
  query SyncRun($id: ID!) {
    syncRun(id: $id) {
      ...SyncRunFields
    }
  }
`);

export const CatalogQuery = graphql(`
  query Catalog($connectionId: ID!, $parentId: ID, $first: Int, $after: String) {
    catalog(connectionId: $connectionId, parentId: $parentId, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        kind
        name
        path
        objectType
        present
        autoRegister
        hasChildren
        dataSource {
          id
          status
        }
      }
    }
  }
`);

export const DataOwnerOptionsQuery = graphql(`
  query DataOwnerOptions($search: String) {
    users(filter: { search: $search, status: ACTIVE }, first: 50) {
      nodes {
        id
        username
        displayName
        roles
      }
    }
  }
`);

export const TestConnectionMutation = graphql(`
  mutation TestConnection($input: TestConnectionInput!) {
    testConnection(input: $input) {
      ok
      serverVersion
      databases
      warnings
      problem {
        code
        message
        privilege
      }
    }
  }
`);

export const CreateConnectionMutation = graphql(`
  mutation CreateConnection($input: ConnectionInput!) {
    createConnection(input: $input) {
      connection {
        id
        name
        inboundWebhookPath
      }
      inboundSecret
      firstSync {
        ...SyncRunFields
      }
      warnings
    }
  }
`);

export const UpdateConnectionMutation = graphql(`
  mutation UpdateConnection($input: UpdateConnectionInput!) {
    updateConnection(input: $input) {
      id
      name
      description
      config
      syncIntervalMinutes
      autoRegister
      updatedAt
      dataOwners {
        id
        username
        displayName
      }
    }
  }
`);

export const DeleteConnectionMutation = graphql(`
  mutation DeleteConnection($id: ID!) {
    deleteConnection(id: $id)
  }
`);

export const RotateInboundSecretMutation = graphql(`
  mutation RotateInboundSecret($id: ID!) {
    rotateConnectionInboundSecret(id: $id) {
      inboundSecret
      connection {
        id
        inboundWebhookPath
      }
    }
  }
`);

export const SyncConnectionMutation = graphql(`
  mutation SyncConnection($id: ID!) {
    syncConnection(id: $id) {
      ...SyncRunFields
    }
  }
`);

export const RegisterDataSourcesMutation = graphql(`
  mutation RegisterDataSources($input: RegisterDataSourcesInput!) {
    registerDataSources(input: $input) {
      registeredCount
    }
  }
`);

export const IssueDecisionTokenMutation = graphql(`
  mutation IssueDecisionToken($connectionId: ID!) {
    issueDecisionToken(connectionId: $connectionId) {
      token
      files {
        fileName
        content
      }
      connection {
        id
        decisionClient {
          tokenIssuedAt
        }
      }
    }
  }
`);
