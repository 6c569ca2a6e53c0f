import type { Metadata } from "next";
import { QueryAuditPage } from "@/features/query-audit/query-audit";

export const metadata: Metadata = { title: "Query audit" };

export default function Page() {
  return <QueryAuditPage />;
}
