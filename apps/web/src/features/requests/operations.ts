import { graphql } from "@/gql";

export const AccessRequestFields = graphql(`
  fragment AccessRequestFields on AccessRequest {
    id
    accessType
    reason
    status
    decidedAt
    decisionReason
    expiresAt
    createdAt
    user {
      id
      username
      displayName
    }
    dataSource {
      id
      name
    }
    decidedBy {
      id
      displayName
    }
  }
`);

export const MyAccessRequestsQuery = graphql(`
  query MyAccessRequests {
    myAccessRequests {
      ...AccessRequestFields
    }
  }
`);

export const MyPendingApprovalsQuery = graphql(`
  query MyPendingApprovals {
    myPendingApprovals {
      ...AccessRequestFields
    }
  }
`);

export const MySubscriptionsQuery = graphql(`
  query MySubscriptions {
    mySubscriptions {
      level
      dataSource {
        id
        name
      }
    }
  }
`);

export const RequestableDataSourcesQuery = graphql(`
  query RequestableDataSources($search: String) {
    requestableDataSources(search: $search, first: 30) {
      id
      name
      objectType
      connectionName
    }
  }
`);

export const RequestAccessMutation = graphql(`
  mutation RequestAccess($input: RequestAccessInput!) {
    requestAccess(input: $input) {
      ...AccessRequestFields
    }
  }
`);

export const ApproveAccessRequestMutation = graphql(`
  mutation ApproveAccessRequest($input: DecideAccessRequestInput!) {
    approveAccessRequest(input: $input) {
      ...AccessRequestFields
    }
  }
`);

export const DenyAccessRequestMutation = graphql(`
  mutation DenyAccessRequest($input: DecideAccessRequestInput!) {
    denyAccessRequest(input: $input) {
      ...AccessRequestFields
    }
  }
`);

export const CancelAccessRequestMutation = graphql(`
  mutation CancelAccessRequest($id: ID!) {
    cancelAccessRequest(id: $id) {
      ...AccessRequestFields
    }
  }
`);
