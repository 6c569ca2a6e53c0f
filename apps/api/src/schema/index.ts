import fs from "node:fs";
import path from "node:path";
import { mergeResolvers } from "@graphql-tools/merge";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { apiKeyResolvers } from "./api-keys/resolvers";
import { auditResolvers } from "./audit/resolvers";
import { authResolvers } from "./auth/resolvers";
import { catalogResolvers } from "./catalog/resolvers";
import { commonResolvers } from "./common/resolvers";
import { dataPolicyResolvers } from "./data-policies/resolvers";
import { dataPolicyDefinitionResolvers } from "./data-policy-definition/resolvers";
import { decisionResolvers } from "./decisions/resolvers";
import { groupResolvers } from "./groups/resolvers";
import { platformResolvers } from "./platforms/resolvers";
import { policyResolvers } from "./policies/resolvers";
import { policyAsCodeResolvers } from "./policy-as-code/resolvers";
import { policyDefinitionResolvers } from "./policy-definition/resolvers";
import { projectResolvers } from "./projects/resolvers";
import { scimResolvers } from "./scim/resolvers";
import { userResolvers } from "./users/resolvers";
import { webhookResolvers } from "./webhooks/resolvers";

const schemaDir = import.meta.dirname;

/** Schema-first: every domain folder holds its SDL next to its resolvers. */
export function loadTypeDefs(): string[] {
  return fs
    .readdirSync(schemaDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(schemaDir, d.name, "schema.graphql")))
    .map((d) => d.name)
    .sort((a, b) => (a === "common" ? -1 : b === "common" ? 1 : a.localeCompare(b)))
    .map((name) => fs.readFileSync(path.join(schemaDir, name, "schema.graphql"), "utf8"));
}

export function buildSchema() {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: mergeResolvers([
      commonResolvers,
      authResolvers,
      userResolvers,
      groupResolvers,
      apiKeyResolvers,
      auditResolvers,
      webhookResolvers,
      catalogResolvers,
      policyResolvers,
      policyDefinitionResolvers,
      dataPolicyDefinitionResolvers,
      dataPolicyResolvers,
      platformResolvers,
      projectResolvers,
      decisionResolvers,
      scimResolvers,
      policyAsCodeResolvers,
    ]) as never,
  });
}
