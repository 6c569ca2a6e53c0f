import type { Metadata } from "next";
import { Suspense } from "react";
import { ExplainPage } from "@/features/access/explain-page";

export const metadata: Metadata = { title: "Explain access" };

export default function Page() {
  return (
    <Suspense>
      <ExplainPage />
    </Suspense>
  );
}
