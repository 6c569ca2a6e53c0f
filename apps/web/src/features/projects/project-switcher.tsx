"use client";

import { ProjectOutlined } from "@ant-design/icons";
import { Select, Space } from "antd";
import { useMutation, useQuery } from "urql";
import { useApiAction } from "@/lib/use-api-action";
import { ProjectSwitcherQuery, SwitchProjectMutation } from "./operations";

/** The value standing for "no project" (a Select option needs a non-null value). */
const NONE = "";
const SWITCHER_CONTEXT = { additionalTypenames: ["Project", "ProjectMember"] };

/**
 * The header's current-project picker: my active projects (acknowledged ones selectable) and "No
 * project". Switching is a change event: what I see on the platform follows without a view rebuild.
 */
export function ProjectSwitcher() {
  const run = useApiAction();
  // urql's document cache refetches a query when a mutation returns one of its typenames; an empty
  // project list has none, so "Project" is named here (a project created elsewhere then shows up).
  const [{ data, fetching }, reexecute] = useQuery({ query: ProjectSwitcherQuery, context: SWITCHER_CONTEXT });
  const [{ fetching: switching }, switchProject] = useMutation(SwitchProjectMutation);
  const current = data?.me?.currentProject ?? null;
  // Governors are shown every project; only those I am a member of can be acted under.
  const mine = (data?.projects ?? []).filter((p) => p.myMembership && p.status === "ACTIVE");
  const options = [
    { value: NONE, label: "No project" },
    ...mine.map((p) => ({
      value: p.id,
      label: p.myMembership?.acknowledged ? p.name : `${p.name} (acknowledge first)`,
      disabled: !p.myMembership?.acknowledged,
    })),
  ];
  return (
    <Space size={6} role="region" aria-label="Project switcher">
      <ProjectOutlined aria-hidden />
      <Select
        aria-label="Current project"
        size="small"
        style={{ minWidth: 180 }}
        loading={fetching || switching}
        showSearch={{ optionFilterProp: "label" }}
        onOpenChange={(open) => open && reexecute({ requestPolicy: "cache-and-network" })}
        value={current?.id ?? NONE}
        options={current && !mine.some((p) => p.id === current.id) ? [...options, { value: current.id, label: current.name }] : options}
        onChange={(projectId: string) =>
          run(() => switchProject({ projectId: projectId === NONE ? null : projectId }), {
            success: projectId === NONE ? "Acting under no project" : "Project switched",
          })
        }
      />
    </Space>
  );
}
