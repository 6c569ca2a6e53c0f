"use client";

import { Descriptions, Space, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { useClient } from "urql";
import type { RestrictionFieldsFragment, ScopeFieldsFragment } from "@/gql/graphql";
import { SourceNameQuery, UserNameQuery } from "./operations";
import {
  childrenOf,
  describeCondition,
  describeScope,
  type Names,
  RESTRICTION_LABELS,
  type ReadCondition,
  type ReadDefinition,
  restrictionKindOf,
  truncatedCondition,
} from "./policy-model";

/** Fetches display names for a handful of ids (sources or users a policy lists). */
function useIdNames(ids: readonly string[], kind: "source" | "user"): Record<string, string> {
  const client = useClient();
  const [names, setNames] = useState<Record<string, string>>({});
  const key = ids.join(",");
  useEffect(() => {
    let live = true;
    if (!key) return;
    void Promise.all(
      key.split(",").map(async (id) => {
        if (kind === "source") {
          const r = await client.query(SourceNameQuery, { id }).toPromise();
          return [id, r.data?.dataSource?.name ?? `${id} (not visible)`] as const;
        }
        const r = await client.query(UserNameQuery, { id }).toPromise();
        return [id, r.data?.user ? `${r.data.user.displayName} (${r.data.user.username})` : id] as const;
      }),
    ).then((entries) => live && setNames(Object.fromEntries(entries)));
    return () => {
      live = false;
    };
  }, [key, kind, client]);
  return names;
}

function IdList({ ids, kind }: { ids: readonly string[]; kind: "source" | "user" }) {
  const names = useIdNames(ids, kind);
  return (
    <Space size={[4, 4]} wrap>
      {ids.map((id) => (
        <Tag key={id}>{names[id] ?? "…"}</Tag>
      ))}
    </Space>
  );
}

export function ConditionView({ condition, names }: { condition: ReadCondition; names: Names }) {
  const children = childrenOf(condition);
  if (children)
    return (
      <div>
        <Typography.Text strong>{condition.__typename === "AndCondition" ? "All of" : "Any of"}</Typography.Text>
        <ul style={{ margin: "4px 0 0", paddingLeft: 20 }}>
          {children.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity beyond position
            <li key={i}>
              <ConditionView condition={c} names={names} />
            </li>
          ))}
        </ul>
      </div>
    );
  return <span>{describeCondition(condition, names)}</span>;
}

export function RestrictionView({ restriction: r, names }: { restriction: RestrictionFieldsFragment; names: Names }) {
  if (r.__typename === "ConditionsRestriction")
    return (
      <>
        <ConditionView condition={r.condition} names={names} />
        {truncatedCondition(r) && <Typography.Text type="secondary">Nested deeper than shown here; read it over the API.</Typography.Text>}
      </>
    );
  if (r.__typename === "UsersRestriction") return <IdList ids={r.userIds} kind="user" />;
  return <span>{RESTRICTION_LABELS[restrictionKindOf(r)]}</span>;
}

export function ScopeView({ scope: s, names }: { scope: ScopeFieldsFragment; names: Names }) {
  if (s.__typename === "SourcesScope") return <IdList ids={s.sourceIds} kind="source" />;
  return <span>{describeScope(s, names)}</span>;
}

export type Definition = ReadDefinition;

export function DefinitionDescriptions({ policy, names }: { policy: Definition; names: Names }) {
  return (
    <Descriptions
      size="small"
      column={1}
      bordered
      items={[
        { key: "desc", label: "Description", children: policy.description || <Typography.Text type="secondary">None</Typography.Text> },
        {
          key: "type",
          label: "Access",
          children: <Tag color={policy.accessType === "WRITE" ? "purple" : "blue"}>{policy.accessType}</Tag>,
        },
        { key: "who", label: "Who", children: <RestrictionView restriction={policy.restriction} names={names} /> },
        { key: "what", label: "What", children: <ScopeView scope={policy.scope} names={names} /> },
      ]}
    />
  );
}
