import { graphql } from "@/gql";

// The except condition reuses the subscription policies' condition fragments (policies/operations.ts).

export const DataPolicyScopeFields = graphql(`
  fragment DataPolicyScopeFields on DataPolicyScope {
    __typename
    ... on SourcesDataPolicyScope {
      sourceIds
    }
    ... on SourceTagDataPolicyScope {
      tag
    }
    ... on ConnectionDataPolicyScope {
      connectionId
    }
    ... on SchemaDataPolicyScope {
      connectionId
      database
      schema
    }
  }
`);

export const DataPolicyRuleFields = graphql(`
  fragment DataPolicyRuleFields on DataPolicyRule {
    __typename
    ... on MaskDataPolicyRule {
      when
      columns {
        __typename
        ... on NamesColumnSelector {
          names
        }
        ... on TaggedColumnSelector {
          tag
        }
      }
      mask {
        __typename
        ... on ConstantMask {
          value
        }
        ... on RegexReplaceMask {
          pattern
          replacement
        }
        ... on RoundNumberMask {
          bucket
        }
        ... on RoundDateMask {
          unit
        }
        ... on ShowLastMask {
          count
        }
      }
    }
    ... on RowsDataPolicyRule {
      rule {
        __typename
        ... on MatchAttributeRowRule {
          column
          attribute
        }
        ... on MatchGroupsRowRule {
          column
        }
        ... on WhereRowRule {
          sql
        }
        ... on TimeWindowRowRule {
          column
          days
        }
        ... on MinimizeRowRule {
          column
          percent
        }
      }
    }
  }
`);

export const MaskConflictFields = graphql(`
  fragment MaskConflictFields on MaskConflict {
    dataSource {
      id
      name
    }
    column
    winner {
      id
      name
    }
    losers {
      id
      name
    }
    decidedBy
  }
`);

export const DataPoliciesQuery = graphql(`
  query DataPolicies {
    dataPolicies {
      id
      name
      description
      scope {
        ...DataPolicyScopeFields
      }
      rule {
        ...DataPolicyRuleFields
      }
      except {
        ...ConditionTreeFields
      }
      version
      sourceCount
      conflicts {
        ...MaskConflictFields
      }
      updatedAt
    }
  }
`);

export const DataPolicyVersionFields = graphql(`
  fragment DataPolicyVersionFields on DataPolicyVersion {
    version
    change
    name
    description
    scope {
      ...DataPolicyScopeFields
    }
    rule {
      ...DataPolicyRuleFields
    }
    except {
      ...ConditionTreeFields
    }
    changedBy {
      id
      displayName
      username
    }
    createdAt
  }
`);

export const DataPolicyDetailQuery = graphql(`
  query DataPolicyDetail($id: ID!) {
    dataPolicy(id: $id) {
      id
      name
      description
      scope {
        ...DataPolicyScopeFields
      }
      rule {
        ...DataPolicyRuleFields
      }
      except {
        ...ConditionTreeFields
      }
      version
      deleted
      sourceCount
      conflicts {
        ...MaskConflictFields
      }
      createdAt
      updatedAt
      versions {
        ...DataPolicyVersionFields
      }
    }
  }
`);

export const PolicyViewColumnFields = graphql(`
  fragment PolicyViewColumnFields on PolicyViewColumn {
    name
    dataType
    mask
    maskedBy {
      id
      name
    }
    fallback {
      requested
      applied
      reason
    }
  }
`);

export const PlanDataPolicyChangeQuery = graphql(`
  query PlanDataPolicyChange($input: PlanDataPolicyChangeInput!) {
    planDataPolicyChange(input: $input) {
      sources {
        dataSource {
          id
          name
        }
        changedColumns
        rowFilterChanged
        after {
          rowFiltered
          columns {
            ...PolicyViewColumnFields
          }
          conflicts {
            ...MaskConflictFields
          }
        }
      }
      affectedUserCount
      affectedUsers {
        id
        username
        displayName
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

export const PreviewAsQuery = graphql(`
  query PreviewAs($userId: ID!, $dataSourceId: ID!, $limit: Int, $definition: DataPolicyDefinitionInput, $policyId: ID) {
    previewAs(userId: $userId, dataSourceId: $dataSourceId, limit: $limit, definition: $definition, policyId: $policyId) {
      accountName
      access
      unavailable
      columns {
        ...PolicyViewColumnFields
      }
      rows
      sql
      userSql
    }
  }
`);

export const ExplainDataAccessQuery = graphql(`
  query ExplainDataAccess($userId: ID!, $dataSourceId: ID!) {
    explainDataAccess(userId: $userId, dataSourceId: $dataSourceId) {
      level
      columns {
        column
        masked
        mask
        exempt
        reason
        policy {
          id
          name
        }
      }
      rowRules {
        applies
        exempt
        reason
        policy {
          id
          name
        }
      }
      details
    }
  }
`);

export const DataPolicyConflictsQuery = graphql(`
  query DataPolicyConflicts($dataSourceId: ID) {
    dataPolicyConflicts(dataSourceId: $dataSourceId) {
      ...MaskConflictFields
    }
  }
`);

export const PolicyViewQuery = graphql(`
  query PolicyView($dataSourceId: ID!) {
    policyView(dataSourceId: $dataSourceId) {
      rowFiltered
      policies {
        id
        name
      }
      columns {
        ...PolicyViewColumnFields
      }
      conflicts {
        ...MaskConflictFields
      }
    }
  }
`);

export const CreateDataPolicyMutation = graphql(`
  mutation CreateDataPolicy($input: DataPolicyInput!) {
    createDataPolicy(input: $input) {
      policy {
        id
      }
      warnings {
        message
      }
    }
  }
`);

export const UpdateDataPolicyMutation = graphql(`
  mutation UpdateDataPolicy($input: UpdateDataPolicyInput!) {
    updateDataPolicy(input: $input) {
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

export const DeleteDataPolicyMutation = graphql(`
  mutation DeleteDataPolicy($id: ID!) {
    deleteDataPolicy(id: $id)
  }
`);

export const PurposeNamesQuery = graphql(`
  query PurposeNames {
    purposes {
      id
      name
      path
    }
  }
`);
