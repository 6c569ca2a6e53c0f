import type { Metadata } from "next";
import { GroupsPage } from "@/features/groups/groups-list";

export const metadata: Metadata = { title: "Groups" };

export default function Page() {
  return <GroupsPage />;
}
