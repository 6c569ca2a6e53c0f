import type { Metadata } from "next";
import { Suspense } from "react";
import { DataSourcesPage } from "@/features/data-sources/data-sources-list";

export const metadata: Metadata = { title: "Data sources" };

export default function Page() {
  // The list reads its initial filters from the query string.
  return (
    <Suspense>
      <DataSourcesPage />
    </Suspense>
  );
}
