import type { CodegenConfig } from "@graphql-codegen/cli";
import { dataPolicyGrammar, policyGrammar } from "@steward/policy";
import { outputTypeName } from "./src/schema/policy-definition/generate-sdl";

// The policy grammar's output unions and their members resolve from the engine's stored JSON as it
// is; their names come from the grammar, like the SDL (policy-definition/schema.graphql).
const policyDefinitionMappers = Object.fromEntries(
  [...policyGrammar, ...dataPolicyGrammar].flatMap((u) => [
    [u.name, `@steward/policy#${u.name}`],
    ...u.variants.map((v) => [outputTypeName(u.name, v.kind), `@steward/policy#${u.name}`]),
  ]),
);

// Resolver types are generated from the schema-first SDL; mappers point GraphQL types at the
// Prisma rows resolvers actually return, so field resolvers are type-checked against them.
const config: CodegenConfig = {
  schema: "src/schema/*/schema.graphql",
  generates: {
    "src/schema/resolvers-types.gen.ts": {
      plugins: ["typescript", "typescript-resolvers"],
      config: {
        useTypeImports: true,
        contextType: "../context#ApiContext",
        enumsAsTypes: true,
        mapperTypeSuffix: "Model",
        scalars: { DateTime: "Date | string", JSON: "unknown" },
        mappers: {
          User: "@steward/db#User",
          Group: "@steward/db#Group",
          ApiKey: "@steward/db#ApiKey",
          AuditEvent: "@steward/db#AuditEvent",
          WebhookEndpoint: "@steward/webhooks#WebhookEndpointView",
          WebhookDelivery: "@steward/db#WebhookDelivery",
          WebhookDeliveryAttempt: "@steward/db#WebhookDeliveryAttempt",
          PlatformAccount: "@steward/db#PlatformAccount",
          Viewer: "../context#ViewerModel",
          Connection: "@steward/db#Connection",
          SyncRun: "@steward/db#SyncRun",
          CatalogNode: "../context#CatalogNodeModel",
          DataSource: "@steward/db#DataSource",
          DataSourceColumn: "@steward/db#DataSourceColumn",
          DataSourceOwner: "../context#DataSourceOwnerModel",
          Tag: "@steward/db#Tag",
          SubscriptionPolicy: "@steward/db#SubscriptionPolicy",
          PolicyVersion: "@steward/db#PolicyVersion",
          AccessRequest: "@steward/db#AccessRequest",
          ManualSubscription: "@steward/db#ManualSubscription",
          AccessChange: "@steward/access#AccessChange",
          MySubscription: "../context#MySubscriptionModel",
          ConnectionStatementPlan: "../context#ConnectionStatementPlanModel",
          ReconcileRun: "@steward/db#ReconcileRun",
          Purpose: "@steward/db#Purpose",
          Project: "@steward/db#Project",
          ProjectMember: "@steward/db#ProjectMember",
          DataPolicy: "@steward/db#DataPolicy",
          DataPolicyVersion: "@steward/db#DataPolicyVersion",
          MaskConflict: "@steward/policy#MaskConflict",
          PolicyViewSummary: "../context#PolicyViewSummaryModel",
          DataPolicyChangePlan: "@steward/access#DataPolicyChangePlan",
          DataPolicySourceImpact: "../context#DataPolicySourceImpactModel",
          DataPreview: "@steward/access#DataPreviewResult",
          DataAccessExplanation: "@steward/access#DataAccessExplanation",
          ColumnAccessExplanation: "@steward/policy#ColumnExplanation",
          RowRuleExplanation: "@steward/policy#RowRuleExplanation",
          ConnectionAccessState: "@steward/db#ConnectionAccessState",
          CatalogNodeConnection: "../context#CatalogNodeConnectionModel",
          DataSourceConnection: "../context#DataSourceConnectionModel",
          RegisterResult: "../context#RegisterResultModel",
          UserConnection: "../context#UserConnectionModel",
          GroupConnection: "../context#GroupConnectionModel",
          AuditEventConnection: "../context#AuditEventConnectionModel",
          DecisionRecord: "@steward/db#DecisionRecord",
          DecisionRecordConnection: "../context#DecisionRecordConnectionModel",
          WebhookDeliveryConnection: "../context#WebhookDeliveryConnectionModel",
          ...policyDefinitionMappers,
          DataPolicyDefinition: "@steward/policy#DataPolicyDefinition",
        },
      },
    },
  },
};

export default config;
