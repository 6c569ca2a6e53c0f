import type { Metadata } from "next";
import { DataSourcesPlaceholder } from "@/features/placeholders/pages";

export const metadata: Metadata = { title: "Data sources" };

export default function Page() {
  return <DataSourcesPlaceholder />;
}
