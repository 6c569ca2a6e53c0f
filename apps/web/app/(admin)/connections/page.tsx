import type { Metadata } from "next";
import { ConnectionsPlaceholder } from "@/features/placeholders/pages";

export const metadata: Metadata = { title: "Connections" };

export default function Page() {
  return <ConnectionsPlaceholder />;
}
