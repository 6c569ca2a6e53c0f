import type { Metadata } from "next";
import { DataSourceTagsPage } from "@/features/data-sources/tags-page";

export const metadata: Metadata = { title: "Tags" };

export default function Page() {
  return <DataSourceTagsPage />;
}
