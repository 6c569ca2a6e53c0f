import { graphql } from "@/gql";

export const GroupsQuery = graphql(`
  query Groups($search: String, $first: Int, $after: String) {
    groups(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        description
        memberCount
        createdAt
        updatedAt
      }
    }
  }
`);

export const GroupDetailQuery = graphql(`
  query GroupDetail($id: ID!, $first: Int, $after: String) {
    group(id: $id) {
      id
      name
      description
      memberCount
      createdAt
      updatedAt
      members(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          username
          displayName
          email
          status
        }
      }
    }
  }
`);

export const CreateGroupMutation = graphql(`
  mutation CreateGroup($input: CreateGroupInput!) {
    createGroup(input: $input) {
      id
      name
    }
  }
`);

export const UpdateGroupMutation = graphql(`
  mutation UpdateGroup($input: UpdateGroupInput!) {
    updateGroup(input: $input) {
      id
      name
      description
      updatedAt
    }
  }
`);

export const DeleteGroupMutation = graphql(`
  mutation DeleteGroup($id: ID!) {
    deleteGroup(id: $id)
  }
`);
