import type { Metadata } from "next";
import { DataPoliciesPage } from "@/features/data-policies/data-policies-list";

export const metadata: Metadata = { title: "Data policies" };

export default function Page() {
  return <DataPoliciesPage />;
}
