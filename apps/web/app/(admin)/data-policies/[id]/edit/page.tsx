import type { Metadata } from "next";
import { DataPolicyBuilderPage } from "@/features/data-policies/data-policy-builder";

export const metadata: Metadata = { title: "Edit data policy" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DataPolicyBuilderPage id={id} />;
}
