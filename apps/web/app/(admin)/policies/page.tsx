import type { Metadata } from "next";
import { PoliciesPlaceholder } from "@/features/placeholders/pages";

export const metadata: Metadata = { title: "Policies" };

export default function Page() {
  return <PoliciesPlaceholder />;
}
