import type { Metadata } from "next";
import { DataSourceDetailPage } from "@/features/data-sources/data-source-detail";

export const metadata: Metadata = { title: "Data source" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DataSourceDetailPage id={id} />;
}
