import type { Metadata } from "next";
import { EndpointDetailPage } from "@/features/webhooks/endpoint-detail";

export const metadata: Metadata = { title: "Webhook endpoint" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <EndpointDetailPage id={id} />;
}
