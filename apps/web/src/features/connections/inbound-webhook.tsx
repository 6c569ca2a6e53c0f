import { Alert, Descriptions, Typography } from "antd";
import { SIGNATURE_FORMAT } from "./platform-kinds";

export function webhookUrl(apiOrigin: string, path: string): string {
  return `${apiOrigin.replace(/\/+$/, "")}${path}`;
}

/** How to call the inbound "objects changed" webhook; the secret only when it was just issued. */
export function InboundWebhookInfo({ url, secret }: { url: string; secret?: string | null }) {
  return (
    <>
      {secret && (
        <Alert
          type="warning"
          showIcon
          title="Copy the inbound secret now: this is the only time it is shown."
          description="Your pipeline signs its requests with it. If you lose it, rotate it on the connection page."
          style={{ marginBottom: 16 }}
        />
      )}
      <Descriptions
        bordered
        size="small"
        column={1}
        items={[
          {
            key: "url",
            label: "Webhook URL",
            children: (
              <Typography.Text code copyable aria-label="Webhook URL">
                {url}
              </Typography.Text>
            ),
          },
          ...(secret
            ? [
                {
                  key: "secret",
                  label: "Inbound secret",
                  children: (
                    <Typography.Text
                      code
                      copyable={{ text: secret, tooltips: ["Copy secret", "Copied"] }}
                      aria-label="Inbound secret"
                      style={{ wordBreak: "break-all" }}
                    >
                      {secret}
                    </Typography.Text>
                  ),
                },
              ]
            : []),
          { key: "method", label: "Method", children: <Typography.Text code>POST</Typography.Text> },
          { key: "sig", label: "Signature header", children: <Typography.Text code>{SIGNATURE_FORMAT}</Typography.Text> },
        ]}
      />
    </>
  );
}
