"use client";

import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Col, Descriptions, Result, Row, Skeleton, Space, Tabs, Tag, Typography } from "antd";
import Link from "next/link";
import { useCallback } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan, useViewer } from "@/features/auth/viewer-context";
import { usePlatformKinds } from "@/features/connections/platform-kinds";
import { SyncRunsTable } from "@/features/connections/sync-runs-table";
import { SourceDataPolicies } from "@/features/data-policies/source-data-policies";
import { RequestAccessButton } from "@/features/requests/request-access-button";
import { AppliedTags } from "@/features/tags/applied-tags";
import { AddTag } from "@/features/tags/tag-select";
import { formatDateTime } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { AuditTrail } from "./audit-trail";
import { ColumnsTable } from "./columns-table";
import {
  DataSourceDetailQuery,
  DisableDataSourceMutation,
  EnableDataSourceMutation,
  TagColumnMutation,
  TagDataSourceMutation,
  UntagColumnMutation,
  UntagDataSourceMutation,
} from "./operations";
import { OwnersCard } from "./owners-card";
import { DataSourceStatusTag, DISABLED_REASONS } from "./status-tag";

export function DataSourceDetailPage({ id }: { id: string }) {
  return (
    <RequireCapability capability="dataSources.manage">
      <DataSourceDetail id={id} />
    </RequireCapability>
  );
}

function DataSourceDetail({ id }: { id: string }) {
  const { modal } = App.useApp();
  const viewer = useViewer();
  const canSeeDataPolicies = useCan("policies.author");
  const [{ data, error }, reexecute] = useQuery({ query: DataSourceDetailQuery, variables: { id } });
  const platforms = usePlatformKinds();
  const [, tagSource] = useMutation(TagDataSourceMutation);
  const [, untagSource] = useMutation(UntagDataSourceMutation);
  const [, tagColumn] = useMutation(TagColumnMutation);
  const [, untagColumn] = useMutation(UntagColumnMutation);
  const [{ fetching: disabling }, disable] = useMutation(DisableDataSourceMutation);
  const [{ fetching: enabling }, enable] = useMutation(EnableDataSourceMutation);
  const run = useApiAction();
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);

  if (error && !data) return <QueryError error={error} onRetry={refresh} />;
  if (!data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const source = data.dataSource;
  if (!source)
    return (
      <Result
        status="404"
        title="Data source not found"
        subTitle="It does not exist, or it is on a connection you do not own."
        extra={<Link href="/data-sources">Back to data sources</Link>}
      />
    );

  const roles = viewer.roles;
  const me = viewer.user?.id;
  const isDataOwner = roles.includes("DATA_OWNER");
  // The API decides; this only hides controls that would be refused (group ownership is not checked here).
  const canManage =
    roles.includes("ADMIN") ||
    (isDataOwner && (source.connection.dataOwners.some((o) => o.id === me) || source.owners.some((o) => o.user?.id === me)));
  const canTag = canManage || roles.includes("GOVERNOR");
  // Mutations answer with the updated source; refetching keeps the audit trail current too.
  const after = (ok: unknown) => {
    if (ok) refresh();
  };

  function confirmDisable() {
    modal.confirm({
      title: `Disable ${source?.name}?`,
      content: "Policies stop granting access to it until it is enabled again. Its tags and owners are kept.",
      okText: "Disable",
      okButtonProps: { danger: true },
      onOk: () => run(() => disable({ id }), { success: "Data source disabled" }).then(after),
    });
  }

  return (
    <>
      <PageHeader
        back={
          <Link href="/data-sources">
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> Data sources
            </Space>
          </Link>
        }
        title={source.path.slice(1).join(".") || source.name}
        subtitle={
          <Space wrap>
            <DataSourceStatusTag status={source.status} reason={source.disabledReason} />
            <Tag>{source.objectType}</Tag>
            <span>
              in <Link href={`/connections/${source.connection.id}`}>{source.connection.name}</Link> (
              {platforms.label(source.connection.kind)})
            </span>
          </Space>
        }
        extra={
          <Space>
            {source.status === "ACTIVE" && <RequestAccessButton dataSource={{ id, name: source.name }} />}
            {canManage &&
              (source.status === "ACTIVE" ? (
                <Button danger loading={disabling} onClick={confirmDisable}>
                  Disable
                </Button>
              ) : (
                <Button
                  loading={enabling}
                  disabled={source.disabledReason === "CONNECTION_DELETED"}
                  onClick={() => run(() => enable({ id }), { success: "Data source enabled" }).then(after)}
                >
                  Enable
                </Button>
              ))}
          </Space>
        }
      />
      {source.status === "DISABLED" && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title="This data source is disabled"
          description={`${source.disabledReason ? DISABLED_REASONS[source.disabledReason] : "No reason recorded"}${source.disabledAt ? ` (since ${formatDateTime(source.disabledAt)})` : ""}.`}
        />
      )}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={14}>
          <Card title="Details" style={{ height: "100%" }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2 }}
              items={[
                { key: "name", label: "Full name", children: <Typography.Text code>{source.name}</Typography.Text> },
                { key: "cols", label: "Columns", children: source.columns.filter((c) => c.present).length },
                { key: "created", label: "Registered", children: formatDateTime(source.createdAt) },
                { key: "updated", label: "Updated", children: formatDateTime(source.updatedAt) },
                {
                  key: "tags",
                  label: "Tags",
                  span: 2,
                  children: (
                    <section aria-label="Source tags">
                      <Space size={[4, 4]} wrap>
                        <AppliedTags
                          tags={source.tags}
                          context={source.name}
                          onRemove={
                            canTag
                              ? (tag) => void run(() => untagSource({ dataSourceId: id, tag }), { success: `Removed ${tag}` }).then(after)
                              : undefined
                          }
                        />
                        {canTag && (
                          <AddTag
                            label="Add tag to data source"
                            exclude={source.tags.map((t) => t.name)}
                            onAdd={(tag) => run(() => tagSource({ dataSourceId: id, tag }), { success: `Tagged ${tag}` }).then(after)}
                          />
                        )}
                      </Space>
                    </section>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <OwnersCard dataSourceId={id} owners={source.owners} canEdit={canManage} />
        </Col>
      </Row>
      <Card>
        <Tabs
          items={[
            {
              key: "columns",
              label: `Columns (${source.columns.length})`,
              children: (
                <section aria-label="Columns">
                  <ColumnsTable
                    columns={source.columns}
                    canTag={canTag}
                    onTag={(column, tag) =>
                      run(() => tagColumn({ dataSourceId: id, column, tag }), { success: `Tagged ${column} with ${tag}` }).then(after)
                    }
                    onUntag={(column, tag) =>
                      run(() => untagColumn({ dataSourceId: id, column, tag }), { success: `Removed ${tag} from ${column}` }).then(after)
                    }
                  />
                </section>
              ),
            },
            // Policy views are for governors and admins (the API refuses owners).
            ...(canSeeDataPolicies
              ? [{ key: "data-policies", label: "Data policies", children: <SourceDataPolicies dataSourceId={id} /> }]
              : []),
            { key: "audit", label: "Audit trail", children: <AuditTrail dataSourceId={id} /> },
            { key: "syncs", label: "Connection syncs", children: <SyncRunsTable runs={source.connection.syncRuns} /> },
          ]}
        />
      </Card>
    </>
  );
}
