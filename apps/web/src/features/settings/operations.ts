import { graphql } from "@/gql";

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

export const MyProfileQuery = graphql(`
  query MyProfile {
    me {
      user {
        id
        username
        displayName
        email
        groups {
          id
          name
        }
        attributes {
          key
          values
        }
      }
    }
    authOptions {
      localPasswords
    }
  }
`);
