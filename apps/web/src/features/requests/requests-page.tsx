"use client";

import { Badge, Card, Table, Tabs, Tag } from "antd";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";
import { useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { formatDateTime, formatRelative } from "@/lib/format";
import { CancelRequestButton } from "./cancel-request-button";
import { Inbox } from "./inbox";
import { MyAccessRequestsQuery, MyPendingApprovalsQuery, MySubscriptionsQuery } from "./operations";
import { RequestAccessButton } from "./request-access-button";
import { ExpiryText, RequestStatusTag } from "./request-status";

const TABS = ["mine", "inbox", "access"] as const;
type TabKey = (typeof TABS)[number];

export function RequestsPage() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const tab: TabKey = (TABS as readonly string[]).includes(params.get("tab") ?? "") ? (params.get("tab") as TabKey) : "mine";
  const [mine, refetchMine] = useQuery({ query: MyAccessRequestsQuery });
  const [inbox, refetchInbox] = useQuery({ query: MyPendingApprovalsQuery });
  const [subs, refetchSubs] = useQuery({ query: MySubscriptionsQuery });
  const refresh = useCallback(() => {
    refetchMine({ requestPolicy: "network-only" });
    refetchInbox({ requestPolicy: "network-only" });
    refetchSubs({ requestPolicy: "network-only" });
  }, [refetchMine, refetchInbox, refetchSubs]);
  const pending = inbox.data?.myPendingApprovals.length ?? 0;
  const error = mine.error ?? inbox.error ?? subs.error;

  return (
    <>
      <PageHeader
        title="Requests"
        subtitle="Ask for access to data, decide on requests for sources you own, and see what you can use."
        extra={<RequestAccessButton onRequested={refresh} />}
      />
      {error && <QueryError error={error} onRetry={refresh} />}
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) => router.replace(`${pathname}?tab=${key}`)}
          items={[
            {
              key: "mine",
              label: "My requests",
              children: (
                <Table
                  aria-label="My requests"
                  rowKey="id"
                  loading={mine.fetching && !mine.data}
                  dataSource={mine.data?.myAccessRequests ?? []}
                  locale={{ emptyText: "You have not asked for access yet" }}
                  columns={[
                    {
                      title: "Data source",
                      key: "source",
                      render: (_, r) => <span style={{ wordBreak: "break-all" }}>{r.dataSource.name}</span>,
                    },
                    {
                      title: "Access",
                      key: "type",
                      width: 90,
                      render: (_, r) => <Tag color={r.accessType === "WRITE" ? "purple" : "blue"}>{r.accessType}</Tag>,
                    },
                    {
                      title: "Status",
                      key: "status",
                      width: 110,
                      render: (_, r) => <RequestStatusTag status={r.status} expiresAt={r.expiresAt} />,
                    },
                    { title: "Expiry", key: "expiry", render: (_, r) => <ExpiryText status={r.status} expiresAt={r.expiresAt} /> },
                    { title: "Reason", dataIndex: "reason", ellipsis: true },
                    {
                      title: "Decision",
                      key: "decision",
                      render: (_, r) =>
                        r.decidedBy ? (
                          <span title={formatDateTime(r.decidedAt)}>
                            {r.decidedBy.displayName}
                            {r.decisionReason ? `: “${r.decisionReason}”` : ""}
                          </span>
                        ) : (
                          "—"
                        ),
                    },
                    {
                      title: "Asked",
                      key: "asked",
                      width: 130,
                      render: (_, r) => <span title={formatDateTime(r.createdAt)}>{formatRelative(r.createdAt)}</span>,
                    },
                    {
                      title: "",
                      key: "actions",
                      width: 90,
                      render: (_, r) =>
                        r.status === "PENDING" ? (
                          <CancelRequestButton requestId={r.id} sourceName={r.dataSource.name} onCancelled={refresh} />
                        ) : null,
                    },
                  ]}
                />
              ),
            },
            {
              key: "inbox",
              label: (
                <span>
                  Inbox <Badge count={pending} size="small" aria-label={`${pending} pending`} />
                </span>
              ),
              children: (
                <Inbox requests={inbox.data?.myPendingApprovals ?? []} loading={inbox.fetching && !inbox.data} onChanged={refresh} />
              ),
            },
            {
              key: "access",
              label: "My access",
              children: (
                <Table
                  aria-label="My access"
                  rowKey={(s) => s.dataSource.id}
                  loading={subs.fetching && !subs.data}
                  dataSource={subs.data?.mySubscriptions ?? []}
                  locale={{ emptyText: "No data source grants you access yet" }}
                  columns={[
                    {
                      title: "Data source",
                      key: "source",
                      render: (_, s) => <span style={{ wordBreak: "break-all" }}>{s.dataSource.name}</span>,
                    },
                    {
                      title: "Level",
                      key: "level",
                      render: (_, s) => <Tag color={s.level === "WRITE" ? "purple" : "blue"}>{s.level}</Tag>,
                    },
                  ]}
                />
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
