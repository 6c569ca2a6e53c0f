import type { Metadata } from "next";
import { DataPolicyBuilderPage } from "@/features/data-policies/data-policy-builder";

export const metadata: Metadata = { title: "New data policy" };

export default function Page() {
  return <DataPolicyBuilderPage />;
}
