"use client";

import { Alert, Button, Modal, Typography } from "antd";
import type { ReactNode } from "react";

/** Shows a secret the API returns exactly once. Closing the dialog is the only way out: it is never shown again. */
export function SecretOnceModal({
  title,
  secret,
  description,
  onClose,
  children,
}: {
  title: string;
  secret: string | null;
  description: string;
  onClose: () => void;
  /** What else holds the secret and is shown only now (e.g. a config file with it filled in). */
  children?: ReactNode;
}) {
  return (
    <Modal
      title={title}
      open={secret !== null}
      onCancel={onClose}
      mask={{ closable: false }}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose}>
          I have stored it
        </Button>
      }
    >
      <Alert
        type="warning"
        showIcon
        title="Copy it now: this is the only time it is shown."
        description={description}
        style={{ marginBottom: 16 }}
      />
      {secret && (
        <Typography.Paragraph
          code
          copyable={{ text: secret, tooltips: ["Copy secret", "Copied"] }}
          style={{ wordBreak: "break-all", fontSize: 14 }}
          aria-label="Secret"
          data-secret
        >
          {secret}
        </Typography.Paragraph>
      )}
      {secret && children}
    </Modal>
  );
}
