import type { Metadata } from "next";
import { DataPolicyDetailPage } from "@/features/data-policies/data-policy-detail";

export const metadata: Metadata = { title: "Data policy" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DataPolicyDetailPage id={id} />;
}
