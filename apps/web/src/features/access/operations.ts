import { graphql } from "@/gql";

export const ExplainAccessQuery = graphql(`
  query ExplainAccess($userId: ID!, $dataSourceId: ID!) {
    explainAccess(userId: $userId, dataSourceId: $dataSourceId) {
      level
      details
      platformLevel
      platform {
        accountName
        problem
      }
    }
  }
`);
