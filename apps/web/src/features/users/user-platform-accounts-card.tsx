"use client";

import { App, Button, Card, Form, Input, Select, Space, Table, Typography } from "antd";
import { useMutation } from "urql";
import { usePlatformKinds } from "@/features/connections/platform-kinds";
import type { PlatformKind } from "@/gql/graphql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { SetPlatformAccountMutation } from "./operations";
import type { UserDetail } from "./user-detail";

type Values = { platform: PlatformKind; accountName: string };

export function UserPlatformAccountsCard({ user, canManage, onChanged }: { user: UserDetail; canManage: boolean; onChanged: () => void }) {
  const { modal } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [{ fetching }, setAccount] = useMutation(SetPlatformAccountMutation);
  const run = useApiAction();
  const platforms = usePlatformKinds();

  async function onFinish(values: Values) {
    const data = await run(
      () => setAccount({ input: { userId: user.id, platform: values.platform, accountName: values.accountName.trim() } }),
      {
        success: `${platforms.label(values.platform)} account saved`,
        onError: (e) => applyFieldErrors(form, e, ["platform", "accountName"]).length === 0 && e.fields.length > 0,
      },
    );
    if (data) {
      form.resetFields();
      onChanged();
    }
  }

  function confirmRemove(platform: PlatformKind) {
    modal.confirm({
      title: `Remove the ${platforms.label(platform)} account mapping?`,
      content: "Steward will no longer know who this user is on that platform.",
      okText: "Remove",
      okButtonProps: { danger: true },
      onOk: () =>
        run(() => setAccount({ input: { userId: user.id, platform, accountName: null } }), { success: "Mapping removed" }).then(onChanged),
    });
  }

  return (
    <Card title="Platform accounts">
      <Table
        size="small"
        rowKey="platform"
        pagination={false}
        dataSource={user.platformAccounts}
        locale={{ emptyText: "No platform accounts. Map how this user is known on each platform (e.g. their PostgreSQL role)." }}
        columns={[
          { title: "Platform", dataIndex: "platform", render: (p: PlatformKind) => platforms.label(p) },
          { title: "Account", dataIndex: "accountName", render: (a: string) => <Typography.Text code>{a}</Typography.Text> },
          ...(canManage
            ? [
                {
                  title: <span className="sr-only">Actions</span>,
                  key: "actions",
                  width: 100,
                  render: (_: unknown, a: UserDetail["platformAccounts"][number]) => (
                    <Button
                      type="link"
                      size="small"
                      danger
                      aria-label={`Remove ${platforms.label(a.platform)} account`}
                      onClick={() => confirmRemove(a.platform)}
                    >
                      Remove
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {canManage && (
        <Form form={form} layout="vertical" onFinish={onFinish} style={{ marginTop: 16 }}>
          <Space align="start" wrap>
            <Form.Item
              label="Platform"
              name="platform"
              rules={[{ required: true, message: "Choose a platform" }]}
              style={{ minWidth: 200 }}
            >
              <Select placeholder="Platform" options={platforms.kinds.map((k) => ({ value: k.kind, label: k.label }))} />
            </Form.Item>
            <Form.Item
              label="Account name"
              name="accountName"
              rules={[{ required: true, whitespace: true, message: "Enter the account name" }]}
            >
              <Input placeholder="e.g. alice_ro" />
            </Form.Item>
            <Form.Item label=" ">
              <Button type="primary" htmlType="submit" loading={fetching}>
                Save mapping
              </Button>
            </Form.Item>
          </Space>
        </Form>
      )}
    </Card>
  );
}
