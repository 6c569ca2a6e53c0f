import { graphql } from "@/gql";

export const DataSourcesQuery = graphql(`
  query DataSources($filter: DataSourcesFilter, $first: Int, $after: String) {
    dataSources(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        path
        objectType
        status
        disabledReason
        connection {
          id
          name
          kind
        }
        tags {
          name
          source
        }
        owners {
          user {
            id
            displayName
          }
          group {
            id
            name
          }
        }
      }
    }
  }
`);

export const ConnectionOptionsQuery = graphql(`
  query ConnectionOptions {
    connections {
      id
      name
    }
  }
`);

export const DataSourceFields = graphql(`
  fragment DataSourceFields on DataSource {
    id
    name
    path
    objectType
    status
    disabledReason
    disabledAt
    createdAt
    updatedAt
    tags {
      name
      source
    }
    columns {
      id
      name
      dataType
      ordinal
      nullable
      present
      tags {
        name
        source
      }
    }
    owners {
      user {
        id
        username
        displayName
      }
      group {
        id
        name
      }
    }
  }
`);

export const DataSourceDetailQuery = graphql(`
  query DataSourceDetail($id: ID!) {
    dataSource(id: $id) {
      ...DataSourceFields
      connection {
        id
        name
        kind
        dataOwners {
          id
        }
        syncRuns(first: 10) {
          ...SyncRunFields
        }
      }
    }
  }
`);

export const DataSourceAuditQuery = graphql(`
  query DataSourceAudit($targetId: String!, $first: Int, $after: String) {
    auditEvents(filter: { targetType: "DataSource", targetId: $targetId }, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        actorType
        actorLabel
        action
        before
        after
        createdAt
      }
    }
  }
`);

export const TagDataSourceMutation = graphql(`
  mutation TagDataSource($dataSourceId: ID!, $tag: String!) {
    tagDataSource(dataSourceId: $dataSourceId, tag: $tag) {
      ...DataSourceFields
    }
  }
`);

export const UntagDataSourceMutation = graphql(`
  mutation UntagDataSource($dataSourceId: ID!, $tag: String!) {
    untagDataSource(dataSourceId: $dataSourceId, tag: $tag) {
      ...DataSourceFields
    }
  }
`);

export const TagColumnMutation = graphql(`
  mutation TagColumn($dataSourceId: ID!, $column: String!, $tag: String!) {
    tagColumn(dataSourceId: $dataSourceId, column: $column, tag: $tag) {
      ...DataSourceFields
    }
  }
`);

export const UntagColumnMutation = graphql(`
  mutation UntagColumn($dataSourceId: ID!, $column: String!, $tag: String!) {
    untagColumn(dataSourceId: $dataSourceId, column: $column, tag: $tag) {
      ...DataSourceFields
    }
  }
`);

export const SetDataSourceOwnersMutation = graphql(`
  mutation SetDataSourceOwners($input: SetDataSourceOwnersInput!) {
    setDataSourceOwners(input: $input) {
      ...DataSourceFields
    }
  }
`);

export const DisableDataSourceMutation = graphql(`
  mutation DisableDataSource($id: ID!) {
    disableDataSource(id: $id) {
      ...DataSourceFields
    }
  }
`);

export const EnableDataSourceMutation = graphql(`
  mutation EnableDataSource($id: ID!) {
    enableDataSource(id: $id) {
      ...DataSourceFields
    }
  }
`);
