import {
  AimOutlined,
  ApiOutlined,
  AuditOutlined,
  DatabaseOutlined,
  EyeInvisibleOutlined,
  FileProtectOutlined,
  FileSearchOutlined,
  HomeOutlined,
  InboxOutlined,
  ProjectOutlined,
  QuestionCircleOutlined,
  SettingOutlined,
  TeamOutlined,
  ThunderboltOutlined,
} from "@ant-design/icons";
import type { ReactNode } from "react";
import { type Capability, can } from "@/features/auth/access";
import type { Role } from "@/gql/graphql";

export type NavItem = { href: string; label: string; icon: ReactNode; capability: Capability | null };

export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/", label: "Overview", icon: <HomeOutlined />, capability: null },
  { href: "/connections", label: "Connections", icon: <ApiOutlined />, capability: "dataSources.manage" },
  { href: "/data-sources", label: "Data sources", icon: <DatabaseOutlined />, capability: "dataSources.manage" },
  { href: "/policies", label: "Policies", icon: <FileProtectOutlined />, capability: "policies.author" },
  { href: "/data-policies", label: "Data policies", icon: <EyeInvisibleOutlined />, capability: "policies.author" },
  { href: "/purposes", label: "Purposes", icon: <AimOutlined />, capability: "purposes.write" },
  { href: "/projects", label: "Projects", icon: <ProjectOutlined />, capability: "projects.use" },
  { href: "/requests", label: "Requests", icon: <InboxOutlined />, capability: "requests.use" },
  { href: "/explain", label: "Explain access", icon: <QuestionCircleOutlined />, capability: null },
  { href: "/users", label: "Users & groups", icon: <TeamOutlined />, capability: "users.read" },
  { href: "/audit", label: "Audit", icon: <AuditOutlined />, capability: "audit.read" },
  { href: "/query-audit", label: "Query audit", icon: <FileSearchOutlined />, capability: "queryAudit.read" },
  { href: "/integrations/webhooks", label: "Integrations", icon: <ThunderboltOutlined />, capability: "webhooks.manage" },
  { href: "/settings", label: "Settings", icon: <SettingOutlined />, capability: "settings.own" },
];

export function visibleNavItems(roles: readonly Role[]): NavItem[] {
  return NAV_ITEMS.filter((item) => item.capability === null || can(roles, item.capability));
}

/** The nav entry a path belongs to: the longest matching prefix ("/users/123" → "/users", "/groups" → "/users"). */
export function activeNavHref(pathname: string): string {
  if (pathname.startsWith("/groups")) return "/users";
  const match = NAV_ITEMS.filter((i) => i.href !== "/" && (pathname === i.href || pathname.startsWith(`${i.href}/`))).sort(
    (a, b) => b.href.length - a.href.length,
  )[0];
  if (match) return match.href;
  if (pathname.startsWith("/integrations")) return "/integrations/webhooks";
  return "/";
}
