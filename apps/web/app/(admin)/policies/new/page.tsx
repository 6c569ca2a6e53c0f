import type { Metadata } from "next";
import { PolicyBuilderPage } from "@/features/policies/policy-builder";

export const metadata: Metadata = { title: "New policy" };

export default function Page() {
  return <PolicyBuilderPage />;
}
