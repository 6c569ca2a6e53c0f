import { graphql } from "@/gql";

export const AuditEventsQuery = graphql(`
  query AuditEvents($filter: AuditEventsFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        actorType
        actorLabel
        actor {
          id
          username
        }
        action
        targetType
        targetId
        before
        after
        requestId
        createdAt
      }
    }
  }
`);
