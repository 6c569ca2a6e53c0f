import type { Metadata } from "next";
import { ProjectsPage } from "@/features/projects/projects-list";

export const metadata: Metadata = { title: "Projects" };

export default function Page() {
  return <ProjectsPage />;
}
