"use client";

import { RequireCapability } from "@/features/auth/require-capability";
import { ComingSoon } from "./coming-soon";

export function ConnectionsPlaceholder() {
  return (
    <RequireCapability capability="connections.manage">
      <ComingSoon
        title="Connections"
        summary="Credentials Steward uses to reach your data platforms."
        details={[
          "register a platform (PostgreSQL, Snowflake, Databricks Unity Catalog, BigQuery, Redshift, Trino, S3, …) with encrypted credentials",
          "test a connection and see when it was last synchronised",
          "see the result of every sync attempt, including partial applies",
        ]}
      />
    </RequireCapability>
  );
}

export function DataSourcesPlaceholder() {
  return (
    <RequireCapability capability="dataSources.manage">
      <ComingSoon
        title="Data sources"
        summary="Catalogs, schemas and tables discovered through connections, with their owners."
        details={["browse what each connection exposes", "assign data owners and classifications", "see which policies apply to a table"]}
      />
    </RequireCapability>
  );
}

export function PoliciesPlaceholder() {
  return (
    <RequireCapability capability="policies.author">
      <ComingSoon
        title="Policies"
        summary="Who may access which data, expressed once and applied to every platform."
        details={[
          "write allow and deny rules over users, groups and attributes",
          "preview and explain a decision before publishing",
          "publish a new policy version and follow its rollout per platform",
        ]}
      />
    </RequireCapability>
  );
}

export function RequestsPlaceholder() {
  return (
    <ComingSoon
      title="Requests"
      summary="Access requests and their approvals."
      details={[
        "ask for access to a data source, with a reason and an end date",
        "approve or reject requests you own",
        "follow a request until access is granted on the platform",
      ]}
    />
  );
}
