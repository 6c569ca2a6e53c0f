import { adapterFor, type DecisionsPort, type PlatformAdapter } from "@steward/integrations";
import { describe, expect, it } from "vitest";
import { decisionClientFiles, TOKEN_PLACEHOLDER } from "./client-files";

/** An adapter whose files echo what they were rendered from, so the test sees exactly what was passed. */
const echoing: PlatformAdapter = {
  ...adapterFor("TRINO"),
  decisions: {
    ...(adapterFor("TRINO").decisions as DecisionsPort),
    clientConfig: ({ baseUrl, connectionId, token }) => [{ fileName: "x.properties", content: `${baseUrl}|${connectionId}|${token}` }],
  },
};

describe("decisionClientFiles", () => {
  it("renders the adapter's files from exactly the given base URL, connection and token", () => {
    expect(decisionClientFiles(echoing, { baseUrl: "https://d.example", connectionId: "c1", token: TOKEN_PLACEHOLDER })).toEqual([
      { fileName: "x.properties", content: `https://d.example|c1|${TOKEN_PLACEHOLDER}` },
    ]);
  });

  it("is null for kinds without query-time decisions", () => {
    expect(decisionClientFiles(adapterFor("POSTGRES"), { baseUrl: "u", connectionId: "c", token: "t" })).toBeNull();
    expect(
      decisionClientFiles(
        { ...echoing, capabilities: { ...echoing.capabilities, decisions: false } },
        { baseUrl: "u", connectionId: "c", token: "t" },
      ),
    ).toBeNull();
  });
});
