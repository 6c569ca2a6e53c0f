import type { Metadata } from "next";
import { RequestsPlaceholder } from "@/features/placeholders/pages";

export const metadata: Metadata = { title: "Requests" };

export default function Page() {
  return <RequestsPlaceholder />;
}
