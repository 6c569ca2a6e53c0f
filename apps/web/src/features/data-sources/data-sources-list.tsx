"use client";

import { Card, Empty, Flex, Input, Select, Space, Table, Tag, Typography } from "antd";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { useQuery } from "urql";
import { CursorPager } from "@/components/cursor-pager";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import { PLATFORM_KINDS } from "@/features/connections/platform-kinds";
import { AppliedTags } from "@/features/tags/applied-tags";
import { TagsQuery } from "@/features/tags/operations";
import { PickUsersQuery } from "@/features/users/operations";
import type { DataSourceStatus, DataSourcesQuery as DataSourcesQueryType } from "@/gql/graphql";
import { useCursorPagination } from "@/lib/use-cursor-pagination";
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
  const pagination = useCursorPagination();
  const [search, setSearch] = useState("");
  const [connectionId, setConnectionId] = useState<string | undefined>(params.get("connectionId") ?? undefined);
  const [tag, setTag] = useState<string | undefined>(params.get("tag") ?? undefined);
  const [ownerUserId, setOwnerUserId] = useState<string | undefined>();
  const [status, setStatus] = useState<DataSourceStatus | undefined>();
  const [ownerSearch, setOwnerSearch] = useState("");
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: DataSourcesQuery,
    variables: { filter: { search: search || null, connectionId, tag, ownerUserId, status }, first: PAGE_SIZE, after: pagination.after },
  });
  const [{ data: connections }] = useQuery({ query: ConnectionOptionsQuery });
  const [{ data: tags }] = useQuery({ query: TagsQuery, variables: { search: null } });
  const [{ data: users, error: usersError }] = useQuery({ query: PickUsersQuery, variables: { search: ownerSearch || null } });

  function filterChanged<T>(set: (v: T) => void) {
    return (v: T) => {
      set(v);
      pagination.reset();
    };
  }
  const filtered = Boolean(search || connectionId || tag || ownerUserId || status);
  const page = data?.dataSources;

  return (
    <>
      {error && <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            aria-label="Search data sources"
            placeholder="Search by name"
            allowClear
            onSearch={filterChanged(setSearch)}
            style={{ width: 280 }}
          />
          <Select
            aria-label="Filter by connection"
            placeholder="Any connection"
            allowClear
            value={connectionId}
            onChange={filterChanged(setConnectionId)}
            style={{ width: 200 }}
            options={connections?.connections.map((c) => ({ value: c.id, label: c.name })) ?? []}
          />
          <Select
            aria-label="Filter by tag"
            placeholder="Any tag"
            allowClear
            showSearch={{ optionFilterProp: "label" }}
            value={tag}
            onChange={filterChanged(setTag)}
            style={{ width: 200 }}
            options={tags?.tags.map((t) => ({ value: t.name, label: t.name })) ?? []}
          />
          <Select
            aria-label="Filter by owner"
            placeholder={usersError ? "Owners (needs the data owner role)" : "Any owner"}
            disabled={Boolean(usersError)}
            allowClear
            showSearch={{ filterOption: false, onSearch: setOwnerSearch }}
            value={ownerUserId}
            onChange={filterChanged(setOwnerUserId)}
            style={{ width: 200 }}
            options={users?.userOptions.map((u) => ({ value: u.id, label: u.displayName })) ?? []}
          />
          <Select
            aria-label="Filter by status"
            placeholder="Any status"
            allowClear
            value={status}
            onChange={filterChanged(setStatus)}
            style={{ width: 150 }}
            options={[
              { value: "ACTIVE", label: "Active" },
              { value: "DISABLED", label: "Disabled" },
            ]}
          />
        </Flex>
        <Table<Row>
          rowKey="id"
          loading={fetching}
          dataSource={page?.nodes ?? []}
          pagination={false}
          locale={{
            emptyText: (
              <Empty
                description={
                  filtered
                    ? "No data sources match these filters."
                    : "No data sources yet. Register tables from a connection's catalog to govern them here."
                }
              >
                {!filtered && <Link href="/connections">Go to connections</Link>}
              </Empty>
            ),
          }}
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
                  <Typography.Text type="secondary">{PLATFORM_KINDS[d.connection.kind].label}</Typography.Text>
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
        <CursorPager
          pagination={pagination}
          hasNextPage={page?.pageInfo.hasNextPage ?? false}
          endCursor={page?.pageInfo.endCursor}
          totalCount={page?.totalCount}
          noun="data source"
          loading={fetching}
        />
      </Card>
    </>
  );
}
