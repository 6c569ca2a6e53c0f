"use client";

import { Space } from "antd";
import { useQuery } from "urql";
import { PageHeader } from "@/components/page-header";
import { QueryError } from "@/components/query-error";
import { ApiKeysPanel } from "@/features/api-keys/api-keys-panel";
import { ChangePasswordCard } from "./change-password-card";
import { MyProfileQuery } from "./operations";
import { ProfileCard } from "./profile-card";

export function SettingsPage() {
  const [{ data, error }] = useQuery({ query: MyProfileQuery });
  const user = data?.me?.user;
  return (
    <>
      <PageHeader title="Settings" subtitle="Your profile, API keys and password." />
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        {error && <QueryError error={error} />}
        {user && <ProfileCard user={user} />}
        <ApiKeysPanel />
        {/* Passwords turned off for the deployment: nothing to change here. */}
        {data?.authOptions.localPasswords && <ChangePasswordCard />}
      </Space>
    </>
  );
}
