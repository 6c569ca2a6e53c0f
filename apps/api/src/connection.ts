import { encodeCursor, type Page } from "@steward/core";
import type { ConnectionModel } from "./context";

/** Adapts a lib page to the Relay connection model the resolvers return. */
export function toConnection<T>(page: Page<T>, cursorValues: (node: T) => (string | number)[]): ConnectionModel<T> {
  return {
    nodes: page.nodes,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: page.totalCount,
    cursorOf: (node) => encodeCursor(cursorValues(node)),
  };
}

/** Field resolvers shared by every connection type. */
export const connectionFields = {
  edges: <T>(c: ConnectionModel<T>) => c.nodes.map((node) => ({ node, cursor: c.cursorOf(node) })),
  nodes: <T>(c: ConnectionModel<T>) => c.nodes,
  pageInfo: <T>(c: ConnectionModel<T>) => c.pageInfo,
};

/** For connections small enough to count (users, groups); the audit log and deliveries are not counted. */
export const countedConnectionFields = {
  ...connectionFields,
  totalCount: <T>(c: ConnectionModel<T>) => c.totalCount ?? 0,
};
