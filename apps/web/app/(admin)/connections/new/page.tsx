import type { Metadata } from "next";
import { apiOrigin } from "@/features/connections/api-origin";
import { ConnectionWizardPage } from "@/features/connections/connection-wizard";

export const metadata: Metadata = { title: "New connection" };

export default async function Page() {
  return <ConnectionWizardPage apiOrigin={await apiOrigin()} />;
}
