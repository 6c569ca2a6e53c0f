import { graphql } from "@/gql";

export const MyApiKeysQuery = graphql(`
  query MyApiKeys($includeRevoked: Boolean) {
    myApiKeys(includeRevoked: $includeRevoked) {
      id
      name
      prefix
      roles
      scope
      createdAt
      lastUsedAt
      expiresAt
      revokedAt
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        id
        name
        prefix
        scope
      }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);
