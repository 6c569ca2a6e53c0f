"use client";

import { Space, Tag, Typography } from "antd";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { useQuery } from "urql";
import { FilterSelect, ListCard, useListFilters } from "@/components/list-card";
import { PageHeader } from "@/components/page-header";
import { RequireCapability } from "@/features/auth/require-capability";
import { usePlatformKinds } from "@/features/connections/platform-kinds";
import { AppliedTags } from "@/features/tags/applied-tags";
import { TagsQuery } from "@/features/tags/operations";
import { PickUsersQuery } from "@/features/users/operations";
import type { DataSourceStatus, DataSourcesQuery as DataSourcesQueryType } from "@/gql/graphql";
import { DataSourcesTabs } from "./data-sources-tabs";
import { ConnectionOptionsQuery, DataSourcesQuery } from "./operations";
import { DataSourceStatusTag } from "./status-tag";

const PAGE_SIZE = 25;
type Row = DataSourcesQueryType["dataSources"]["nodes"][number];

export function DataSourcesPage() {
  return (
    <RequireCapability capability="dataSources.manage">
      <PageHeader
        title="Data sources"
        subtitle="Tables and views registered from your connections, with their classification and owners."
      />
      <DataSourcesTabs />
      <DataSourcesList />
    </RequireCapability>
  );
}

function DataSourcesList() {
  const params = useSearchParams();
  const { filters, setFilter, filtered, pagination } = useListFilters({
    search: "",
    connectionId: params.get("connectionId") ?? undefined,
    tag: params.get("tag") ?? undefined,
    ownerUserId: undefined as string | undefined,
    status: undefined as DataSourceStatus | undefined,
  });
  const { search, connectionId, tag, ownerUserId, status } = filters;
  const [ownerSearch, setOwnerSearch] = useState("");
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: DataSourcesQuery,
    variables: { filter: { search: search || null, connectionId, tag, ownerUserId, status }, first: PAGE_SIZE, after: pagination.after },
  });
  const [{ data: connections }] = useQuery({ query: ConnectionOptionsQuery });
  const platforms = usePlatformKinds();
  const [{ data: tags }] = useQuery({ query: TagsQuery, variables: { search: null } });
  const [{ data: users, error: usersError }] = useQuery({ query: PickUsersQuery, variables: { search: ownerSearch || null } });

  const page = data?.dataSources;

  return (
    <ListCard<Row>
      page={page}
      fetching={fetching}
      error={error}
      onRetry={() => reexecute({ requestPolicy: "network-only" })}
      pagination={pagination}
      noun="data source"
      search={{ label: "Search data sources", placeholder: "Search by name", onSearch: setFilter("search"), width: 280 }}
      filters={
        <>
          <FilterSelect
            label="Filter by connection"
            placeholder="Any connection"
            value={connectionId}
            onChange={setFilter("connectionId")}
            width={200}
            options={connections?.connections.map((c) => ({ value: c.id, label: c.name })) ?? []}
          />
          <FilterSelect
            label="Filter by tag"
            placeholder="Any tag"
            showSearch={{ optionFilterProp: "label" }}
            value={tag}
            onChange={setFilter("tag")}
            width={200}
            options={tags?.tags.map((t) => ({ value: t.name, label: t.name })) ?? []}
          />
          <FilterSelect
            label="Filter by owner"
            placeholder={usersError ? "Owners (needs the data owner role)" : "Any owner"}
            disabled={Boolean(usersError)}
            showSearch={{ filterOption: false, onSearch: setOwnerSearch }}
            value={ownerUserId}
            onChange={setFilter("ownerUserId")}
            width={200}
            options={users?.userOptions.map((u) => ({ value: u.id, label: u.displayName })) ?? []}
          />
          <FilterSelect
            label="Filter by status"
            placeholder="Any status"
            value={status}
            onChange={setFilter("status")}
            width={150}
            options={[
              { value: "ACTIVE", label: "Active" },
              { value: "DISABLED", label: "Disabled" },
            ]}
          />
        </>
      }
      emptyText={
        filtered
          ? "No data sources match these filters."
          : "No data sources yet. Register tables from a connection's catalog to govern them here."
      }
      columns={[
        {
          title: "Name",
          key: "name",
          render: (_, d) => (
            <Space orientation="vertical" size={0}>
              <Link href={`/data-sources/${d.id}`}>{d.path.slice(1).join(".") || d.name}</Link>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {d.path[0]}
              </Typography.Text>
            </Space>
          ),
        },
        { title: "Type", dataIndex: "objectType", render: (t: string) => <Tag>{t}</Tag> },
        {
          title: "Connection",
          key: "connection",
          render: (_, d) => (
            <Space size={4}>
              <Link href={`/connections/${d.connection.id}`}>{d.connection.name}</Link>
              <Typography.Text type="secondary">{platforms.label(d.connection.kind)}</Typography.Text>
            </Space>
          ),
        },
        { title: "Status", key: "status", render: (_, d) => <DataSourceStatusTag status={d.status} reason={d.disabledReason} /> },
        { title: "Tags", key: "tags", render: (_, d) => <AppliedTags tags={d.tags} context={d.name} /> },
        {
          title: "Owners",
          key: "owners",
          render: (_, d) =>
            d.owners.length === 0 ? (
              <Typography.Text type="secondary">None</Typography.Text>
            ) : (
              <Space size={[4, 4]} wrap>
                {d.owners.map((o) => (
                  <Tag key={o.user?.id ?? o.group?.id}>{o.user?.displayName ?? `${o.group?.name} (group)`}</Tag>
                ))}
              </Space>
            ),
        },
      ]}
    />
  );
}
