import type { Metadata } from "next";
import { PolicyBuilderPage } from "@/features/policies/policy-builder";

export const metadata: Metadata = { title: "Edit policy" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PolicyBuilderPage id={id} />;
}
