import { graphql } from "@/gql";

export const ScimAttributeMappingsQuery = graphql(`
  query ScimAttributeMappings {
    scimAttributeMappings {
      scimPath
      attributeKey
    }
  }
`);

export const SetScimAttributeMappingsMutation = graphql(`
  mutation SetScimAttributeMappings($mappings: [ScimAttributeMappingInput!]!) {
    setScimAttributeMappings(mappings: $mappings) {
      scimPath
      attributeKey
    }
  }
`);
