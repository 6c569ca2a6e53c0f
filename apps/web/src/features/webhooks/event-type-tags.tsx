import { Space, Tag } from "antd";
import { ALL_EVENTS } from "./endpoint-form-modal";

export function EventTypeTags({ types, max = 4 }: { types: readonly string[]; max?: number }) {
  if (types.includes(ALL_EVENTS)) return <Tag color="geekblue">All events</Tag>;
  const shown = types.slice(0, max);
  return (
    <Space size={[4, 4]} wrap>
      {shown.map((t) => (
        <Tag key={t}>{t}</Tag>
      ))}
      {types.length > max && <Tag>+{types.length - max} more</Tag>}
    </Space>
  );
}
