"use client";

import { Tabs } from "antd";
import { usePathname, useRouter } from "next/navigation";

export function DataSourcesTabs() {
  const pathname = usePathname();
  const router = useRouter();
  return (
    <Tabs
      activeKey={pathname.startsWith("/data-sources/tags") ? "/data-sources/tags" : "/data-sources"}
      onChange={(key) => router.push(key)}
      items={[
        { key: "/data-sources", label: "Data sources" },
        { key: "/data-sources/tags", label: "Tags" },
      ]}
    />
  );
}
