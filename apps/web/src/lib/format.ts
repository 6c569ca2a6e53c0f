import dayjs from "dayjs";
import relativeTime from "dayjs/plugin/relativeTime";

dayjs.extend(relativeTime);

export function formatDateTime(value: string | null | undefined): string {
  return value ? dayjs(value).format("YYYY-MM-DD HH:mm:ss") : "—";
}

export function formatRelative(value: string | null | undefined, never = "Never"): string {
  return value ? dayjs(value).fromNow() : never;
}
