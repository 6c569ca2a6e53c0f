// PLACEHOLDER (helper opa-engine replaces this file): Trino's OPA wire protocol behind DecisionsPort.
import type { DecisionsPort } from "../../decisions";

export const trinoDecisions: DecisionsPort = {
  endpoints: [],
  buildIndex: () => {
    throw new Error("not implemented yet");
  },
  answer: () => ({ status: 501, body: { error: "not implemented" }, records: [] }),
  clientConfig: () => [],
};
