"use client";

import { Alert, Card, Empty, Flex, Form, Skeleton, Typography } from "antd";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { useCan, useViewer } from "@/features/auth/viewer-context";
import { DataAccessExplanation } from "@/features/data-policies/data-access-explanation";
import { UsersSelect } from "@/features/policies/pickers";
import { useNames } from "@/features/policies/use-names";
import { RequestableSourceSelect } from "@/features/requests/requestable-source-select";
import type { Explanation } from "./explanation";
import { ExplanationView } from "./explanation-view";
import { ExplainAccessQuery } from "./operations";

/** Explains one (user, data source) pair. Governors and admins pick any user; everyone else explains their own access. */
export function ExplainPage() {
  const viewer = useViewer();
  const anyone = useCan("access.explainAnyone");
  const names = useNames();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const me = viewer.user?.id ?? "";
  const userId = anyone ? (params.get("userId") ?? me) : me;
  const dataSourceId = params.get("dataSourceId") ?? undefined;
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ExplainAccessQuery,
    variables: { userId, dataSourceId: dataSourceId ?? "" },
    pause: !userId || !dataSourceId,
    requestPolicy: "network-only",
  });

  function set(key: string, value: string | undefined) {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    router.replace(`${pathname}?${next.toString()}`);
  }

  return (
    <>
      <PageHeader
        title="Explain access"
        subtitle={
          anyone
            ? "Why a user can or cannot use a data source, policy by policy."
            : "Why you can or cannot use a data source, policy by policy."
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Form layout="inline" aria-label="What to explain">
          {anyone && (
            <Form.Item label="User" style={{ minWidth: 320 }}>
              <UsersSelectSingle value={userId} onChange={(v) => set("userId", v)} />
            </Form.Item>
          )}
          <Form.Item label="Data source" style={{ minWidth: 380 }}>
            <RequestableSourceSelect
              aria-label="Data source"
              value={dataSourceId}
              onChange={(v) => set("dataSourceId", v)}
              style={{ width: 360 }}
            />
          </Form.Item>
        </Form>
      </Card>
      {!dataSourceId ? (
        <Card>
          <Empty description="Pick a data source to see the decision and its reasons" />
        </Card>
      ) : error ? (
        <QueryError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />
      ) : fetching || !data ? (
        <Skeleton active />
      ) : (
        <Flex vertical gap={16}>
          {userId !== me && <Alert type="info" showIcon title="You are looking at another user's access." />}
          {data.explainAccess.platform?.problem && (
            <Alert
              type="warning"
              showIcon
              title={`On the platform: ${data.explainAccess.platformLevel} (policies say ${data.explainAccess.level})`}
              description={data.explainAccess.platform.problem}
            />
          )}
          <section aria-label="Explanation">
            <ExplanationView e={data.explainAccess.details as Explanation} names={names} />
          </section>
          <Card title="Inside the data" role="region" aria-label="Inside the data">
            <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
              Which columns are masked and which rows are hidden {userId === me ? "for you" : "for this user"}, by which data policy, and
              the group, attribute or purpose that would change it.
            </Typography.Paragraph>
            <DataAccessExplanation userId={userId} dataSourceId={dataSourceId} />
          </Card>
        </Flex>
      )}
    </>
  );
}

/** The multi-user picker reused for one user: the last pick wins. */
function UsersSelectSingle({ value, onChange }: { value: string; onChange: (v: string | undefined) => void }) {
  return <UsersSelect aria-label="User" value={value ? [value] : []} onChange={(v) => onChange(v[v.length - 1])} />;
}
