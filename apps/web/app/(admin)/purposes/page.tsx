import type { Metadata } from "next";
import { PurposesPage } from "@/features/projects/purposes-page";

export const metadata: Metadata = { title: "Purposes" };

export default function Page() {
  return <PurposesPage />;
}
