import { describe, expect, it } from "vitest";
import { opaAccessControlProperties, postgresCatalogProperties, propertiesFile } from "./trino-runtime";

describe("Trino etc files", () => {
  it("writes property values literally: backslash, line breaks, leading blank and non-ASCII escaped", () => {
    expect(propertiesFile({ a: "x=y:z#!", b: "C:\\dir", c: "line\nbreak", d: " lead", e: "ü😀" })).toBe(
      "a=x=y:z#!\nb=C:\\\\dir\nc=line\\u000abreak\nd=\\ lead\ne=\\u00fc\\ud83d\\ude00\n",
    );
  });

  it("turns a PostgreSQL URL into Trino's JDBC catalog properties", () => {
    expect(postgresCatalogProperties({ url: "postgresql://bob:p%40ss@db.local:6543/ware%20house" })).toEqual({
      "connector.name": "postgresql",
      "connection-url": "jdbc:postgresql://db.local:6543/ware%20house",
      "connection-user": "bob",
      "connection-password": "p@ss",
    });
    expect(postgresCatalogProperties({ url: "postgresql://127.0.0.1/w", user: "u" })).toEqual({
      "connector.name": "postgresql",
      "connection-url": "jdbc:postgresql://127.0.0.1:5432/w",
      "connection-user": "u",
    });
    expect(() => postgresCatalogProperties({ url: "mysql://x/y" })).toThrow(/not a PostgreSQL URL/);
  });

  it("derives every OPA URI from one base", () => {
    expect(opaAccessControlProperties("http://d:4002/decisions/TRINO/c1/t/")).toMatchObject({
      "access-control.name": "opa",
      "opa.policy.uri": "http://d:4002/decisions/TRINO/c1/t/allow",
      "opa.policy.batched-uri": "http://d:4002/decisions/TRINO/c1/t/batch",
    });
  });
});
