import { graphql } from "@/gql";

export const MeQuery = graphql(`
  query Me {
    me {
      roles
      authMethod
      user {
        id
        username
        displayName
        email
      }
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      roles
      authMethod
      user {
        id
        username
        displayName
        email
      }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);
