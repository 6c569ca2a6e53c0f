import type { Metadata } from "next";
import { WebhooksPage } from "@/features/webhooks/endpoints-list";

export const metadata: Metadata = { title: "Webhooks" };

export default function Page() {
  return <WebhooksPage />;
}
