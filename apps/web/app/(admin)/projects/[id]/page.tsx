import type { Metadata } from "next";
import { ProjectDetailPage } from "@/features/projects/project-detail";

export const metadata: Metadata = { title: "Project" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ProjectDetailPage id={id} />;
}
