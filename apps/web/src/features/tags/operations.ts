import { graphql } from "@/gql";

export const TagsQuery = graphql(`
  query Tags($search: String) {
    tags(search: $search) {
      id
      name
      description
    }
  }
`);

/** The tags page: counts come from one grouped query on the server, not one request per tag. */
export const TagsWithUsageQuery = graphql(`
  query TagsWithUsage($search: String) {
    tags(search: $search) {
      id
      name
      description
      dataSourceCount
    }
  }
`);
