import { graphql } from "@/gql";

export const PoliciesQuery = graphql(`
  query Policies {
    policies {
      id
      name
      description
      accessType
      restriction
      scope
      version
      updatedAt
    }
  }
`);

export const PolicyVersionFields = graphql(`
  fragment PolicyVersionFields on PolicyVersion {
    version
    change
    name
    description
    accessType
    restriction
    scope
    changedBy {
      id
      displayName
      username
    }
    createdAt
  }
`);

export const PolicyDetailQuery = graphql(`
  query PolicyDetail($id: ID!) {
    policy(id: $id) {
      id
      name
      description
      accessType
      restriction
      scope
      version
      deleted
      createdAt
      updatedAt
      versions {
        ...PolicyVersionFields
      }
    }
  }
`);

export const PlanPolicyChangeQuery = graphql(`
  query PlanPolicyChange($input: PlanPolicyChangeInput!) {
    planPolicyChange(input: $input) {
      gainedCount
      lostCount
      changes {
        before
        after
        user {
          id
          username
          displayName
        }
        dataSource {
          id
          name
        }
      }
      warnings {
        severity
        code
        path
        message
      }
      connectionPlans {
        connection {
          id
          name
        }
        statements
        error
      }
    }
  }
`);

export const CreatePolicyMutation = graphql(`
  mutation CreatePolicy($input: PolicyInput!) {
    createPolicy(input: $input) {
      policy {
        id
      }
      warnings {
        message
      }
    }
  }
`);

export const UpdatePolicyMutation = graphql(`
  mutation UpdatePolicy($input: UpdatePolicyInput!) {
    updatePolicy(input: $input) {
      policy {
        id
        version
      }
      warnings {
        message
      }
    }
  }
`);

export const DeletePolicyMutation = graphql(`
  mutation DeletePolicy($id: ID!) {
    deletePolicy(id: $id)
  }
`);

export const AttributeKeysQuery = graphql(`
  query AttributeKeys {
    attributeKeys
  }
`);

/** Names for the ids a policy refers to (groups, sources, users), so definitions read as prose. */
export const PolicyRefsQuery = graphql(`
  query PolicyRefs {
    groups(first: 200) {
      nodes {
        id
        name
      }
    }
    connections {
      id
      name
    }
  }
`);

export const SourceNamesQuery = graphql(`
  query SourceNames($search: String) {
    dataSources(filter: { search: $search }, first: 50) {
      nodes {
        id
        name
        connection {
          id
          name
        }
      }
    }
  }
`);

export const SourceNameQuery = graphql(`
  query SourceName($id: ID!) {
    dataSource(id: $id) {
      id
      name
    }
  }
`);

export const UserNameQuery = graphql(`
  query UserName($id: ID!) {
    user(id: $id) {
      id
      username
      displayName
    }
  }
`);
