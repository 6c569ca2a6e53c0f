import { graphql } from "@/gql";

// Condition trees are read to a fixed depth (GraphQL has no recursive fragments): four levels, two
// more than the builder edits. `ConditionsRestriction.depth` tells when a stored tree is deeper.
export const ConditionLeafFields = graphql(`
  fragment ConditionLeafFields on Condition {
    __typename
    ... on GroupCondition {
      group
    }
    ... on PurposeCondition {
      purpose
    }
    ... on AttributeCondition {
      key
      match
      values
    }
  }
`);

export const ConditionLevel3Fields = graphql(`
  fragment ConditionLevel3Fields on Condition {
    ...ConditionLeafFields
    ... on AndCondition {
      conditions {
        ...ConditionLeafFields
      }
    }
    ... on OrCondition {
      conditions {
        ...ConditionLeafFields
      }
    }
  }
`);

export const ConditionLevel2Fields = graphql(`
  fragment ConditionLevel2Fields on Condition {
    ...ConditionLeafFields
    ... on AndCondition {
      conditions {
        ...ConditionLevel3Fields
      }
    }
    ... on OrCondition {
      conditions {
        ...ConditionLevel3Fields
      }
    }
  }
`);

export const ConditionTreeFields = graphql(`
  fragment ConditionTreeFields on Condition {
    ...ConditionLeafFields
    ... on AndCondition {
      conditions {
        ...ConditionLevel2Fields
      }
    }
    ... on OrCondition {
      conditions {
        ...ConditionLevel2Fields
      }
    }
  }
`);

export const RestrictionFields = graphql(`
  fragment RestrictionFields on Restriction {
    __typename
    ... on UsersRestriction {
      userIds
    }
    ... on ConditionsRestriction {
      depth
      condition {
        ...ConditionTreeFields
      }
    }
  }
`);

export const ScopeFields = graphql(`
  fragment ScopeFields on Scope {
    __typename
    ... on SourcesScope {
      sourceIds
    }
    ... on TagScope {
      tag
    }
    ... on ConnectionScope {
      connectionId
    }
    ... on SchemaScope {
      connectionId
      database
      schema
    }
  }
`);

export const PoliciesQuery = graphql(`
  query Policies {
    policies {
      id
      name
      description
      accessType
      restriction {
        ...RestrictionFields
      }
      scope {
        ...ScopeFields
      }
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
    restriction {
      ...RestrictionFields
    }
    scope {
      ...ScopeFields
    }
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
      restriction {
        ...RestrictionFields
      }
      scope {
        ...ScopeFields
      }
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
    purposes {
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
