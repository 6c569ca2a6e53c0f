"use client";

import { Space } from "antd";
import { PageHeader } from "@/components/page-header";
import { ApiKeysPanel } from "@/features/api-keys/api-keys-panel";
import { ChangePasswordCard } from "./change-password-card";

export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" subtitle="Your API keys and password." />
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        <ApiKeysPanel />
        <ChangePasswordCard />
      </Space>
    </>
  );
}
