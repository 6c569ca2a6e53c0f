import type { Metadata } from "next";
import { UsersPage } from "@/features/users/users-list";

export const metadata: Metadata = { title: "Users & groups" };

export default function Page() {
  return <UsersPage />;
}
