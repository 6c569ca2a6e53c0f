import { Overview } from "@/features/home/overview";

export default function Page() {
  return <Overview />;
}
