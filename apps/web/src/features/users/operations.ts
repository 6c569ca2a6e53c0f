import { graphql } from "@/gql";

export const UsersQuery = graphql(`
  query Users($filter: UsersFilter, $first: Int, $after: String) {
    users(filter: $filter, first: $first, after: $after) {
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
        roles
        groups {
          id
          name
        }
        createdAt
      }
    }
  }
`);

export const UserDetailQuery = graphql(`
  query UserDetail($id: ID!) {
    user(id: $id) {
      id
      username
      displayName
      email
      status
      roles
      groups {
        id
        name
        description
      }
      attributes {
        key
        values
      }
      platformAccounts {
        platform
        accountName
      }
      createdAt
      updatedAt
    }
    attributeKeys
  }
`);

export const GroupOptionsQuery = graphql(`
  query GroupOptions($search: String) {
    groups(search: $search, first: 50) {
      nodes {
        id
        name
      }
    }
  }
`);

export const UserOptionsQuery = graphql(`
  query UserOptions($search: String) {
    users(filter: { search: $search }, first: 20) {
      nodes {
        id
        username
        displayName
      }
    }
  }
`);

/** Names-only pickers: also open to data owners, who may not read the directory itself. */
export const PickUsersQuery = graphql(`
  query PickUsers($search: String) {
    userOptions(search: $search, first: 20) {
      id
      username
      displayName
    }
  }
`);

export const PickGroupsQuery = graphql(`
  query PickGroups($search: String) {
    groupOptions(search: $search, first: 50) {
      id
      name
    }
  }
`);

export const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
      username
    }
  }
`);

export const UpdateUserMutation = graphql(`
  mutation UpdateUser($input: UpdateUserInput!) {
    updateUser(input: $input) {
      id
      displayName
      email
      updatedAt
    }
  }
`);

export const DeactivateUserMutation = graphql(`
  mutation DeactivateUser($id: ID!) {
    deactivateUser(id: $id) {
      id
      status
      updatedAt
    }
  }
`);

export const ReactivateUserMutation = graphql(`
  mutation ReactivateUser($id: ID!) {
    reactivateUser(id: $id) {
      id
      status
      updatedAt
    }
  }
`);

export const GrantRoleMutation = graphql(`
  mutation GrantRole($userId: ID!, $role: Role!) {
    grantRole(userId: $userId, role: $role) {
      id
      roles
    }
  }
`);

export const RevokeRoleMutation = graphql(`
  mutation RevokeRole($userId: ID!, $role: Role!) {
    revokeRole(userId: $userId, role: $role) {
      id
      roles
    }
  }
`);

export const SetUserAttributeMutation = graphql(`
  mutation SetUserAttribute($input: SetUserAttributeInput!) {
    setUserAttribute(input: $input) {
      id
      attributes {
        key
        values
      }
    }
  }
`);

export const RemoveUserAttributeMutation = graphql(`
  mutation RemoveUserAttribute($userId: ID!, $key: String!) {
    removeUserAttribute(userId: $userId, key: $key) {
      id
      attributes {
        key
        values
      }
    }
  }
`);

export const SetPlatformAccountMutation = graphql(`
  mutation SetPlatformAccount($input: SetPlatformAccountInput!) {
    setPlatformAccount(input: $input) {
      id
      platformAccounts {
        platform
        accountName
      }
    }
  }
`);

export const AddGroupMemberMutation = graphql(`
  mutation AddGroupMember($groupId: ID!, $userId: ID!) {
    addGroupMember(groupId: $groupId, userId: $userId) {
      id
      memberCount
    }
  }
`);

export const RemoveGroupMemberMutation = graphql(`
  mutation RemoveGroupMember($groupId: ID!, $userId: ID!) {
    removeGroupMember(groupId: $groupId, userId: $userId) {
      id
      memberCount
    }
  }
`);
