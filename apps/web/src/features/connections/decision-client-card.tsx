"use client";

import { KeyOutlined } from "@ant-design/icons";
import { App, Button, Card, Descriptions, Empty, Typography } from "antd";
import { useState } from "react";
import { useMutation } from "urql";
import { SecretOnceModal } from "@/components/secret-once-modal";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useApiAction } from "@/lib/use-api-action";
import { IssueDecisionTokenMutation } from "./operations";

export type DecisionClientFile = { fileName: string; content: string };

/** One generated file as a copyable code block, labelled by its name (tests and screen readers find it so). */
export function ConfigFileBlock({ file }: { file: DecisionClientFile }) {
  return (
    <section aria-label={file.fileName} style={{ marginBottom: 12 }}>
      <Typography.Text strong copyable={{ text: file.content, tooltips: [`Copy ${file.fileName}`, "Copied"] }}>
        {file.fileName}
      </Typography.Text>
      <pre
        data-config-file={file.fileName}
        style={{
          margin: "8px 0 0",
          padding: 12,
          background: "#fafafa",
          border: "1px solid #f0f0f0",
          borderRadius: 6,
          fontSize: 12,
          maxHeight: 360,
          overflow: "auto",
          whiteSpace: "pre-wrap",
          wordBreak: "break-all",
        }}
      >
        {file.content}
      </pre>
    </section>
  );
}

/**
 * For platforms Steward governs at query time (e.g. Trino's `opa` access control): the files that point
 * the cluster at Steward's decision service, and the token it presents. The files shown here carry a
 * placeholder; the token appears only once, in the dialog right after issuing it.
 */
export function DecisionClientCard({
  connectionId,
  client,
  canIssue,
  onIssued,
}: {
  connectionId: string;
  client: { files: DecisionClientFile[]; tokenIssuedAt?: string | null };
  canIssue: boolean;
  onIssued: () => void;
}) {
  const { modal } = App.useApp();
  const run = useApiAction();
  const [, issue] = useMutation(IssueDecisionTokenMutation);
  const [issued, setIssued] = useState<{ token: string; files: DecisionClientFile[] } | null>(null);

  function confirmIssue() {
    const reissue = Boolean(client.tokenIssuedAt);
    modal.confirm({
      title: reissue ? "Issue a new decision token?" : "Issue a decision token?",
      content: reissue
        ? "The current token stops working at once: the cluster is denied every query until its configuration has the new token."
        : "The token is shown once. Put it into the cluster's configuration before you close the dialog.",
      okText: reissue ? "Replace token" : "Issue token",
      okButtonProps: { danger: reissue },
      onOk: async () => {
        const res = await run(() => issue({ connectionId }), { success: "Decision token issued" });
        if (res) {
          setIssued({ token: res.issueDecisionToken.token, files: res.issueDecisionToken.files });
          onIssued();
        }
      },
    });
  }

  return (
    <Card
      title="Query-time access control"
      role="region"
      aria-label="Query-time access control"
      style={{ marginBottom: 16 }}
      extra={
        canIssue && (
          <Button icon={<KeyOutlined />} onClick={confirmIssue}>
            {client.tokenIssuedAt ? "Issue new token" : "Issue token"}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">
        The cluster asks Steward for every access decision, row filter and column mask. Install these files on its coordinator; the token
        goes where the placeholder is.
      </Typography.Paragraph>
      <Descriptions
        size="small"
        column={1}
        style={{ marginBottom: 16 }}
        items={[
          {
            key: "issued",
            label: "Token issued",
            children: client.tokenIssuedAt ? (
              <span title={formatDateTime(client.tokenIssuedAt)}>{formatRelative(client.tokenIssuedAt)}</span>
            ) : (
              <Typography.Text type="warning">Never: the cluster cannot reach Steward until a token is issued.</Typography.Text>
            ),
          },
        ]}
      />
      {client.files.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="This platform needs no configuration files." />
      ) : (
        client.files.map((f) => <ConfigFileBlock key={f.fileName} file={f} />)
      )}
      <SecretOnceModal
        title="New decision token"
        secret={issued?.token ?? null}
        description="The cluster presents it to Steward's decision service. Only its hash is stored; issuing a new one makes it stop working."
        onClose={() => setIssued(null)}
      >
        {issued?.files.map((f) => (
          <ConfigFileBlock key={f.fileName} file={f} />
        ))}
      </SecretOnceModal>
    </Card>
  );
}
