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

// Only the id: the page reloads after signing in and `me` loads the rest.
export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      user {
        id
      }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export const AuthOptionsQuery = graphql(`
  query AuthOptions($ssoError: String!, $failed: Boolean!) {
    authOptions {
      localPasswords
      singleSignOnFailure(reason: $ssoError) @include(if: $failed)
      singleSignOn {
        providerName
        loginPath
      }
    }
  }
`);
