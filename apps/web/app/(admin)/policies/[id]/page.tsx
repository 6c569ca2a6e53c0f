import type { Metadata } from "next";
import { PolicyDetailPage } from "@/features/policies/policy-detail";

export const metadata: Metadata = { title: "Policy" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PolicyDetailPage id={id} />;
}
