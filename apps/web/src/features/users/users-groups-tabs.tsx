"use client";

import { Tabs } from "antd";
import { usePathname, useRouter } from "next/navigation";

export function UsersGroupsTabs() {
  const pathname = usePathname();
  const router = useRouter();
  return (
    <Tabs
      activeKey={pathname.startsWith("/groups") ? "/groups" : "/users"}
      onChange={(key) => router.push(key)}
      items={[
        { key: "/users", label: "Users" },
        { key: "/groups", label: "Groups" },
      ]}
    />
  );
}
