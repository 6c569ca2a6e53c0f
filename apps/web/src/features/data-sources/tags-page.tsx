"use client";

import { PageHeader } from "@/components/page-header";
import { RequireCapability } from "@/features/auth/require-capability";
import { TagsTable } from "@/features/tags/tags-table";
import { DataSourcesTabs } from "./data-sources-tabs";

export function DataSourceTagsPage() {
  return (
    <RequireCapability capability="dataSources.manage">
      <PageHeader
        title="Data sources"
        subtitle="Tables and views registered from your connections, with their classification and owners."
      />
      <DataSourcesTabs />
      <TagsTable />
    </RequireCapability>
  );
}
