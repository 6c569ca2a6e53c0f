import { graphql } from "@/gql";

export const DecisionRecordsQuery = graphql(`
  query DecisionRecords($filter: DecisionRecordsFilter, $first: Int, $after: String) {
    decisionRecords(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        at
        connection {
          id
          name
        }
        snapshotVersion
        user
        stewardUser {
          id
          displayName
        }
        operation
        resource
        allowed
        reason
        policyIds
        queryId
      }
    }
  }
`);

/** The connections a record can come from: only kinds governed at query time are offered. */
export const QueryAuditConnectionsQuery = graphql(`
  query QueryAuditConnections {
    connections {
      id
      name
      kind
    }
  }
`);
