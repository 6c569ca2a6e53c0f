"use client";

import { Progress, Space, Tag, Tooltip, Typography } from "antd";
import { useCallback, useEffect } from "react";
import { useQuery } from "urql";
import type { SyncRunFieldsFragment, SyncStatus, SyncTrigger } from "@/gql/graphql";
import { formatDateTime, formatRelative } from "@/lib/format";
import { SyncRunQuery } from "./operations";

export type SyncRun = SyncRunFieldsFragment;

const STATUS: Record<SyncStatus, { color: string; label: string }> = {
  QUEUED: { color: "default", label: "Queued" },
  RUNNING: { color: "processing", label: "Running" },
  SUCCEEDED: { color: "success", label: "Succeeded" },
  FAILED: { color: "error", label: "Failed" },
};

export const TRIGGER_LABELS: Record<SyncTrigger, string> = {
  MANUAL: "Manual",
  SCHEDULE: "Schedule",
  WEBHOOK: "Webhook",
  CREATED: "On creation",
};

export function isActive(run: Pick<SyncRun, "status"> | null | undefined): boolean {
  return run?.status === "QUEUED" || run?.status === "RUNNING";
}

export function SyncStatusTag({ status }: { status: SyncStatus }) {
  return <Tag color={STATUS[status].color}>{STATUS[status].label}</Tag>;
}

/** A run's live progress: a bar while it runs, the outcome once it is done. */
export function SyncProgress({ run, compact = false }: { run: SyncRun; compact?: boolean }) {
  if (isActive(run)) {
    const known = run.objectsTotal !== null && run.objectsTotal !== undefined;
    return (
      <div
        role="progressbar"
        aria-label="Sync progress"
        aria-valuenow={run.percent ?? undefined}
        aria-valuemin={0}
        aria-valuemax={100}
        style={{ minWidth: 180 }}
      >
        <Progress percent={run.percent ?? 0} status="active" size="small" showInfo={known} />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {run.status === "QUEUED"
            ? "Waiting for a worker…"
            : known
              ? `${run.objectsSeen} of ${run.objectsTotal} objects`
              : `${run.objectsSeen} objects so far`}
        </Typography.Text>
      </div>
    );
  }
  return (
    <Space orientation="vertical" size={0}>
      <Space size={4}>
        <SyncStatusTag status={run.status} />
        <Tooltip title={formatDateTime(run.finishedAt ?? run.requestedAt)}>
          <Typography.Text type="secondary">{formatRelative(run.finishedAt ?? run.requestedAt)}</Typography.Text>
        </Tooltip>
      </Space>
      {!compact && run.status === "SUCCEEDED" && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {run.objectsSeen} objects · {run.added} new · {run.updated} changed · {run.disabled} gone · {run.registered} registered
        </Typography.Text>
      )}
      {run.error && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {run.error}
        </Typography.Text>
      )}
    </Space>
  );
}

export const POLL_MS = 1000;

/** Re-runs `refresh` every second while `active` (and the tab is visible). */
export function usePollWhile(active: boolean, refresh: () => void) {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [active, refresh]);
}

/** Follows one sync run until it finishes. */
export function useSyncRun(id: string | null, initial?: SyncRun | null): SyncRun | null {
  const [{ data }, reexecute] = useQuery({ query: SyncRunQuery, variables: { id: id ?? "" }, pause: !id, requestPolicy: "network-only" });
  const run = data?.syncRun ?? initial ?? null;
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  usePollWhile(Boolean(id) && (!run || isActive(run)), refresh);
  return run;
}
