import { useMemo } from "react";
import { useQuery } from "urql";
import type { SelectOption } from "@/components/search-select";
import { PickGroupsQuery, PickUsersQuery, UserOptionsQuery } from "./operations";

/** Active users by username or display name, names only: open to data owners as well. */
export function useUserSearch(search: string) {
  const [{ data, fetching }] = useQuery({ query: PickUsersQuery, variables: { search: search || null } });
  const options = useMemo<SelectOption[]>(
    () => (data?.userOptions ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` })),
    [data],
  );
  return { options, fetching };
}

/** Groups by name, without their members: open to data owners as well. */
export function useGroupSearch(search: string) {
  const [{ data, fetching }] = useQuery({ query: PickGroupsQuery, variables: { search: search || null } });
  const options = useMemo<SelectOption[]>(() => (data?.groupOptions ?? []).map((g) => ({ value: g.id, label: g.name })), [data]);
  return { options, fetching };
}

/** The directory search (username, name or email; any status): for administrators and governors. */
export function useDirectoryUserSearch(search: string) {
  const [{ data, fetching }] = useQuery({ query: UserOptionsQuery, variables: { search: search || null } });
  const options = useMemo<SelectOption[]>(
    () => (data?.users.nodes ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` })),
    [data],
  );
  return { options, fetching };
}
