"use client";

import { CheckCircleOutlined, ExclamationCircleOutlined, SyncOutlined } from "@ant-design/icons";
import { Alert, Descriptions, Empty, Flex, Select, Skeleton, Switch, Table, Tag, Typography } from "antd";
import { useCallback } from "react";
import { useMutation, useQuery } from "urql";
import { QueryError } from "@/components/query-error";
import { useCan } from "@/features/auth/viewer-context";
import { graphql } from "@/gql";
import type { ErrorClass, ReconcileStatus, UnmanagedGrantsMode } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { usePollWhile } from "./sync-status";

const ConnectionAccessStatusQuery = graphql(`
  query ConnectionAccessStatus($id: ID!) {
    connection(id: $id) {
      id
      accessState {
        desiredVersion
        appliedVersion
        inSync
        lastReconciledAt
        failureStreak
        lastErrorClass
        enforce
        unmanagedGrants
        accountProblems {
          userId
          username
          accountName
          problem
        }
        drift
        driftCheckedAt
        nextExpiryAt
      }
      reconcileRuns(first: 20) {
        id
        desiredVersion
        status
        statementCount
        statements
        durationMs
        error
        errorClass
        startedAt
      }
    }
  }
`);

const SetDriftEnforcementMutation = graphql(`
  mutation SetDriftEnforcement($connectionId: ID!, $enforce: Boolean!) {
    setDriftEnforcement(connectionId: $connectionId, enforce: $enforce) {
      id
      accessState {
        enforce
      }
    }
  }
`);

const SetUnmanagedGrantsMutation = graphql(`
  mutation SetUnmanagedGrants($connectionId: ID!, $mode: UnmanagedGrantsMode!) {
    setUnmanagedGrants(connectionId: $connectionId, mode: $mode) {
      id
      accessState {
        unmanagedGrants
        desiredVersion
      }
    }
  }
`);

const UNMANAGED_OPTIONS: { value: UnmanagedGrantsMode; label: string }[] = [
  { value: "REPORT", label: "Report only" },
  { value: "REVOKE", label: "Revoke" },
];

const RUN_COLORS: Record<ReconcileStatus, string> = {
  RUNNING: "processing",
  APPLIED: "green",
  UNCHANGED: "default",
  FAILED: "red",
  SKIPPED: "default",
};

/** What the shared error taxonomy means for whoever reads the run. */
const ERROR_CLASS_HINT: Record<ErrorClass, string> = {
  TRANSIENT: "Temporary (the platform was unreachable or busy): Steward retries with back-off.",
  CONFIGURATION: "The connection needs fixing (credentials, privileges or missing database); retries continue slowly.",
  PERMANENT: "Retrying the same state fails the same way; check the error below.",
};

type Finding = { kind: string; [key: string]: unknown };

/** One drift finding in words (the connector's DriftFinding kinds). */
function describeFinding(f: Finding): string {
  const target = f.target as { kind: string; schema?: string; name: string } | undefined;
  const on = target ? ` on ${target.kind} ${target.schema ? `${target.schema}.` : ""}${target.name}` : "";
  const privileges = Array.isArray(f.privileges) ? ` (${(f.privileges as string[]).join(", ")})` : "";
  switch (f.kind) {
    case "MISSING_USER":
      return `user ${f.user} does not exist`;
    case "MISSING_ROLE":
      return `role ${f.role} is missing`;
    case "EXTRA_ROLE":
      return `role ${f.role} exists but is not wanted`;
    case "MISSING_PRIVILEGE":
      return `${f.role} lacks privileges${privileges}${on}`;
    case "EXTRA_PRIVILEGE":
      return `${f.role} has extra privileges${privileges}${on}`;
    case "MISSING_MEMBERSHIP":
      return `${f.member} is not a member of ${f.role}`;
    case "EXTRA_MEMBERSHIP":
      return `${f.member} is a member of ${f.role} without a policy`;
    case "UNMANAGED_GRANT":
      return `${f.grantee} was granted${privileges} on ${f.schema}.${f.name} outside Steward`;
    case "STALE_LOGIN":
      return `${f.user} can still log in although Steward no longer manages this user (login will be disabled)`;
    case "DISABLED_LOGIN":
      return `${f.user} cannot log in although Steward manages this user (login will be restored)`;
    case "MISSING_OBJECT":
      return `${f.schema}.${f.name} no longer exists (skipped)`;
    default:
      return JSON.stringify(f);
  }
}

/** Desired vs applied grants on the platform, reconcile history and drift, for one connection. */
export function AccessStatusTab({ connectionId }: { connectionId: string }) {
  const canEnforce = useCan("policies.author");
  const run = useApiAction();
  const [{ data, error }, reexecute] = useQuery({
    query: ConnectionAccessStatusQuery,
    variables: { id: connectionId },
    requestPolicy: "cache-and-network",
  });
  const [{ fetching: switching }, setEnforce] = useMutation(SetDriftEnforcementMutation);
  const [{ fetching: settingUnmanaged }, setUnmanaged] = useMutation(SetUnmanagedGrantsMutation);
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  const state = data?.connection?.accessState;
  const runs = data?.connection?.reconcileRuns ?? [];
  usePollWhile(Boolean(state && !state.inSync) || runs.some((r) => r.status === "RUNNING"), refresh);

  if (error && !data) return <QueryError error={error} onRetry={refresh} />;
  if (!data) return <Skeleton active />;
  const drift = Array.isArray(state?.drift) ? (state.drift as Finding[]) : [];

  return (
    <Flex vertical gap={16}>
      {!state ? (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description="No policy has touched this connection yet: Steward manages no grants here."
        />
      ) : (
        <>
          {state.failureStreak > 0 && (
            <Alert
              type="error"
              showIcon
              title={`The last ${state.failureStreak} reconcile attempt${state.failureStreak === 1 ? "" : "s"} failed`}
              description={
                state.lastErrorClass ? ERROR_CLASS_HINT[state.lastErrorClass] : "Steward retries with back-off; see the runs below."
              }
            />
          )}
          <Descriptions
            size="small"
            column={{ xs: 1, md: 3 }}
            items={[
              {
                key: "sync",
                label: "Grants",
                children: state.inSync ? (
                  <Tag icon={<CheckCircleOutlined />} color="success">
                    In sync
                  </Tag>
                ) : (
                  <Tag icon={<SyncOutlined spin />} color="processing">
                    Applying
                  </Tag>
                ),
              },
              { key: "versions", label: "Desired / applied version", children: `${state.desiredVersion} / ${state.appliedVersion}` },
              {
                key: "last",
                label: "Last reconciled",
                children: <span title={formatDateTime(state.lastReconciledAt)}>{formatRelative(state.lastReconciledAt)}</span>,
              },
              { key: "expiry", label: "Next expiry", children: state.nextExpiryAt ? formatDateTime(state.nextExpiryAt) : "—" },
              { key: "checked", label: "Drift checked", children: formatRelative(state.driftCheckedAt) },
              {
                key: "enforce",
                label: "Drift",
                children: (
                  <Flex gap={8} align="center">
                    <Switch
                      aria-label="Repair drift automatically"
                      checked={state.enforce}
                      loading={switching}
                      disabled={!canEnforce}
                      onChange={(enforce) =>
                        void run(() => setEnforce({ connectionId, enforce }), {
                          success: enforce ? "Drift is repaired automatically" : "Drift is only reported",
                        })
                      }
                    />
                    <span>{state.enforce ? "Repair automatically" : "Report only"}</span>
                  </Flex>
                ),
              },
              {
                key: "unmanaged",
                label: "Grants made outside Steward",
                children: (
                  <Select
                    aria-label="Grants made outside Steward"
                    size="small"
                    style={{ minWidth: 140 }}
                    value={state.unmanagedGrants}
                    options={UNMANAGED_OPTIONS}
                    loading={settingUnmanaged}
                    disabled={!canEnforce}
                    onChange={(mode) =>
                      void run(() => setUnmanaged({ connectionId, mode }), {
                        success: mode === "REVOKE" ? "Grants made outside Steward are revoked" : "Grants made outside Steward are reported",
                      })
                    }
                  />
                ),
              },
            ]}
          />
          {state.accountProblems.length > 0 && (
            <Alert
              type="warning"
              showIcon
              title={`${state.accountProblems.length} user${state.accountProblems.length === 1 ? " gets" : "s get"} no grants here`}
              description={
                <ul style={{ margin: 0, paddingLeft: 16 }}>
                  {state.accountProblems.map((p) => (
                    <li key={p.userId}>
                      {p.username}: {p.problem}
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          <section aria-label="Drift findings">
            <Typography.Title level={5}>Drift findings</Typography.Title>
            {drift.length === 0 ? (
              <Typography.Text type="secondary">
                {state.driftCheckedAt ? "None: the platform matches what Steward wants." : "Not checked yet."}
              </Typography.Text>
            ) : (
              <ul style={{ margin: 0, paddingLeft: 0, listStyle: "none" }}>
                {drift.map((f, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: findings have no id
                  <li key={i}>
                    <ExclamationCircleOutlined style={{ color: "#faad14" }} /> {describeFinding(f)}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <Table
        aria-label="Reconcile runs"
        size="small"
        rowKey="id"
        dataSource={runs}
        pagination={false}
        locale={{ emptyText: "No reconcile has run yet" }}
        expandable={{
          rowExpandable: (r) => r.statements.length > 0 || Boolean(r.error),
          expandedRowRender: (r) => (
            <>
              {r.error && (
                <Alert
                  type="error"
                  showIcon
                  title={r.errorClass ? `${r.errorClass}: ${r.error}` : r.error}
                  description={r.errorClass ? ERROR_CLASS_HINT[r.errorClass] : undefined}
                  style={{ marginBottom: 8 }}
                />
              )}
              {r.statements.length > 0 && (
                <pre
                  style={{
                    margin: 0,
                    padding: 12,
                    background: "#fafafa",
                    fontSize: 12,
                    maxHeight: 320,
                    overflow: "auto",
                    whiteSpace: "pre-wrap",
                  }}
                >
                  {`${r.statements.join(";\n")};`}
                </pre>
              )}
            </>
          ),
        }}
        columns={[
          {
            title: "Started",
            key: "started",
            render: (_, r) => <span title={formatDateTime(r.startedAt)}>{formatRelative(r.startedAt)}</span>,
          },
          { title: "Version", dataIndex: "desiredVersion", width: 90 },
          { title: "Status", key: "status", render: (_, r) => <Tag color={RUN_COLORS[r.status]}>{r.status}</Tag> },
          { title: "Statements", dataIndex: "statementCount", width: 110 },
          {
            title: "Duration",
            key: "duration",
            render: (_, r) => (r.durationMs === null || r.durationMs === undefined ? "—" : `${r.durationMs} ms`),
          },
        ]}
      />
    </Flex>
  );
}
