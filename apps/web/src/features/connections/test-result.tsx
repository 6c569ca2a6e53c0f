import { Alert, Descriptions, Typography } from "antd";
import type { TestConnectionMutation } from "@/gql/graphql";

export type TestResult = TestConnectionMutation["testConnection"];

/** What a connection test found: the server and its warnings, or the one problem that stopped it. */
export function TestResultView({ result }: { result: TestResult }) {
  if (!result.ok) {
    const p = result.problem;
    return (
      <Alert
        role="alert"
        type="error"
        showIcon
        title={`Connection test failed${p ? `: ${p.code}` : ""}`}
        description={
          <>
            <div>{p?.message ?? "The platform did not say why."}</div>
            {p?.privilege && (
              <div>
                Missing privilege: <Typography.Text code>{p.privilege}</Typography.Text>
              </div>
            )}
          </>
        }
      />
    );
  }
  return (
    <>
      <Alert role="status" type="success" showIcon title="Connection test succeeded" style={{ marginBottom: 12 }} />
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          { key: "version", label: "Server version", children: result.serverVersion ?? "—" },
          { key: "dbs", label: "Databases reachable", children: result.databases?.join(", ") || "—" },
        ]}
      />
      {result.warnings.map((w) => (
        <Alert key={w} type="warning" showIcon title={w} style={{ marginTop: 8 }} />
      ))}
    </>
  );
}
