import type { Metadata } from "next";
import { GroupDetailPage } from "@/features/groups/group-detail";

export const metadata: Metadata = { title: "Group" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <GroupDetailPage id={id} />;
}
