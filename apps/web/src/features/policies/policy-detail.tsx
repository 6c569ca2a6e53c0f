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
import { formatDateTime } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { DeletePolicyMutation, PlanPolicyChangeQuery, PolicyDetailQuery } from "./operations";
import { DefinitionDescriptions } from "./policy-definition";
import { PolicyHistory } from "./policy-history";
import { PlanView } from "./policy-preview";
import { useNames } from "./use-names";

export function PolicyDetailPage({ id }: { id: string }) {
  return (
    <RequireCapability capability="policies.author">
      <PolicyDetail id={id} />
    </RequireCapability>
  );
}

/** Deleting shows who loses access first (a dry run with delete: true). */
function DeletePolicyModal({ id, name, open, onClose }: { id: string; name: string; open: boolean; onClose: () => void }) {
  const router = useRouter();
  const run = useApiAction();
  const [{ fetching: deleting }, remove] = useMutation(DeletePolicyMutation);
  const [{ data, error }] = useQuery({
    query: PlanPolicyChangeQuery,
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
      okText="Delete policy"
      okButtonProps={{ danger: true, loading: deleting, disabled: !data }}
      onOk={async () => {
        if (await run(() => remove({ id }), { success: "Policy deleted" })) router.push("/policies");
      }}
      destroyOnHidden
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 12 }}
        title="Access it grants is revoked on every platform within seconds. Its history is kept."
      />
      {error ? (
        <QueryError error={error} />
      ) : data ? (
        <PlanView plan={data.planPolicyChange} emptyText="Nobody loses access" />
      ) : (
        <Spin aria-label="Loading the effect of deleting" />
      )}
    </Modal>
  );
}

function PolicyDetail({ id }: { id: string }) {
  const canWrite = useCan("policies.write");
  const names = useNames();
  const [deleting, setDeleting] = useState(false);
  const [{ data, error }, reexecute] = useQuery({ query: PolicyDetailQuery, variables: { id } });
  if (error && !data) return <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const policy = data.policy;
  if (!policy) return <Result status="404" title="Policy not found" extra={<Link href="/policies">Back to policies</Link>} />;
  return (
    <>
      <PageHeader
        back={
          <Link href="/policies">
            <Space size={4} style={{ marginBottom: 8 }}>
              <ArrowLeftOutlined /> Policies
            </Space>
          </Link>
        }
        title={policy.name}
        subtitle={
          <Space>
            <Tag>Version {policy.version}</Tag>
            {policy.deleted && <Tag color="red">Deleted</Tag>}
          </Space>
        }
        extra={
          canWrite &&
          !policy.deleted && (
            <Space>
              <Link href={`/policies/${id}/edit`}>
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
        <Col xs={24} xl={16}>
          <Card title="Definition" style={{ height: "100%" }}>
            <DefinitionDescriptions policy={policy} names={names} />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title="Record" style={{ height: "100%" }}>
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: "created", label: "Created", children: formatDateTime(policy.createdAt) },
                { key: "updated", label: "Updated", children: formatDateTime(policy.updatedAt) },
                { key: "by", label: "Last changed by", children: policy.versions[0]?.changedBy?.displayName ?? "—" },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Card>
        <Tabs
          items={[
            {
              key: "history",
              label: `History (${policy.versions.length})`,
              children: <PolicyHistory versions={policy.versions} names={names} />,
            },
          ]}
        />
      </Card>
      <DeletePolicyModal id={id} name={policy.name} open={deleting} onClose={() => setDeleting(false)} />
    </>
  );
}
