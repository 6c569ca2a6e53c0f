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

export const TagUsageQuery = graphql(`
  query TagUsage($tag: String!) {
    dataSources(filter: { tag: $tag }, first: 1) {
      totalCount
    }
  }
`);
