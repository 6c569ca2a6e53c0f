"use client";

import { CloseOutlined } from "@ant-design/icons";
import { Space, Tag, Tooltip } from "antd";
import type { TagSource } from "@/gql/graphql";
import { TAG_SOURCE_HINT } from "./tag-syntax";

export type AppliedTag = { name: string; source: TagSource };

/** Tags on a source or column; removable ones get a close button with an accessible name. */
export function AppliedTags({
  tags,
  onRemove,
  context,
}: {
  tags: readonly AppliedTag[];
  onRemove?: (tag: string) => void;
  context: string;
}) {
  if (tags.length === 0 && !onRemove) return <span>—</span>;
  return (
    <Space size={[4, 4]} wrap>
      {tags.map((t) => (
        <Tooltip key={t.name} title={TAG_SOURCE_HINT[t.source]}>
          <Tag
            color={t.name.startsWith("PII") || t.name.startsWith("PCI") ? "volcano" : "geekblue"}
            closable={Boolean(onRemove)}
            closeIcon={onRemove ? <CloseOutlined aria-label={`Remove tag ${t.name} from ${context}`} /> : undefined}
            onClose={(e) => {
              e.preventDefault();
              onRemove?.(t.name);
            }}
          >
            {t.name}
          </Tag>
        </Tooltip>
      ))}
    </Space>
  );
}
