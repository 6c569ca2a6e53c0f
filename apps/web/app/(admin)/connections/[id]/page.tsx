import type { Metadata } from "next";
import { apiOrigin } from "@/features/connections/api-origin";
import { ConnectionDetailPage } from "@/features/connections/connection-detail";

export const metadata: Metadata = { title: "Connection" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ConnectionDetailPage id={id} apiOrigin={await apiOrigin()} />;
}
