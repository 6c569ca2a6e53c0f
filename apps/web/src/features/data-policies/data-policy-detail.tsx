"use client";

import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, Descriptions, Modal, Result, Row, Skeleton, Space, Spin, Tabs, Tag } from "antd";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { RequireCapability } from "@/features/auth/require-capability";
import { useCan } from "@/features/auth/viewer-context";
import { useNames } from "@/features/policies/use-names";
import { formatDateTime } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { ConflictsList } from "./conflicts";
import { DataPolicyHistory } from "./data-policy-history";
import { DataPlanView } from "./data-policy-preview";
import { describeDataScope, describeExcept, describeRule } from "./describe";
import { DataPolicyDetailQuery, DeleteDataPolicyMutation, PlanDataPolicyChangeQuery } from "./operations";
import { SeeAsUser } from "./see-as-user";

export function DataPolicyDetailPage({ id }: { id: string }) {
  return (
    <RequireCapability capability="policies.author">
      <DataPolicyDetail id={id} />
    </RequireCapability>
  );
}

/** Deleting shows which views change first (a dry run with delete: true). */
function DeleteModal({ id, name, open, onClose }: { id: string; name: string; open: boolean; onClose: () => void }) {
  const router = useRouter();
  const run = useApiAction();
  const [{ fetching: deleting }, remove] = useMutation(DeleteDataPolicyMutation);
  const [{ data, error }] = useQuery({
    query: PlanDataPolicyChangeQuery,
    variables: { input: { policyId: id, delete: true } },
    pause: !open,
    requestPolicy: "network-only",
  });
  return (
    <Modal
      open={open}
      title={`Delete “${name}”?`}
      width={760}
      onCancel={onClose}
      okText="Delete data policy"
      okButtonProps={{ danger: true, loading: deleting, disabled: !data }}
      onOk={async () => {
        if (await run(() => remove({ id }), { success: "Data policy deleted" })) router.push("/data-policies");
      }}
      destroyOnHidden
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 12 }}
        title="The views it shapes are rebuilt without it within seconds. Its history is kept."
      />
      {error ? <QueryError error={error} /> : data ? <DataPlanView plan={data.planDataPolicyChange} /> : <Spin aria-label="Loading" />}
    </Modal>
  );
}

function DataPolicyDetail({ id }: { id: string }) {
  const canWrite = useCan("policies.write");
  const names = useNames();
  const [deleting, setDeleting] = useState(false);
  const [{ data, error }, reexecute] = useQuery({ query: DataPolicyDetailQuery, variables: { id } });
  if (error && !data) return <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const policy = data.dataPolicy;
  if (!policy)
    return <Result status="404" title="Data policy not found" extra={<Link href="/data-policies">Back to data policies</Link>} />;
  return (
    <>
      <PageHeader
        back={
          <Link href="/data-policies">
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> Data policies
            </Space>
          </Link>
        }
        title={policy.name}
        subtitle={
          <Space>
            <Tag>Version {policy.version}</Tag>
            {policy.deleted && <Tag color="red">Deleted</Tag>}
            {policy.conflicts.length > 0 && <Tag color="orange">{policy.conflicts.length} conflicts</Tag>}
          </Space>
        }
        extra={
          canWrite &&
          !policy.deleted && (
            <Space>
              <Link href={`/data-policies/${id}/edit`}>
                <Button type="primary">Edit</Button>
              </Link>
              <Button danger onClick={() => setDeleting(true)}>
                Delete
              </Button>
            </Space>
          )
        }
      />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={14}>
          <Card title="Definition" style={{ height: "100%" }}>
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: "description", label: "Description", children: policy.description || "—" },
                { key: "rule", label: "Rule", children: describeRule(policy.rule) },
                { key: "scope", label: "Scope", children: `${describeDataScope(policy.scope, names)} (${policy.sourceCount} now)` },
                { key: "except", label: "Exceptions", children: describeExcept(policy.except, names) },
                { key: "created", label: "Created", children: formatDateTime(policy.createdAt) },
                { key: "updated", label: "Updated", children: formatDateTime(policy.updatedAt) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <SeeAsUser note="The first rows of a source as the user reads them on the platform now." />
        </Col>
      </Row>
      <Card>
        <Tabs
          items={[
            {
              key: "conflicts",
              label: `Conflicts (${policy.conflicts.length})`,
              children:
                policy.conflicts.length > 0 ? (
                  <ConflictsList conflicts={policy.conflicts} />
                ) : (
                  <Alert type="success" showIcon title="No other mask competes with this policy on any column." />
                ),
            },
            {
              key: "history",
              label: `History (${policy.versions.length})`,
              children: <DataPolicyHistory versions={policy.versions} names={names} />,
            },
          ]}
        />
      </Card>
      <DeleteModal id={id} name={policy.name} open={deleting} onClose={() => setDeleting(false)} />
    </>
  );
}
