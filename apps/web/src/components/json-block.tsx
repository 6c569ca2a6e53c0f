import { Typography } from "antd";

export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <Typography.Text type="secondary">No {label.toLowerCase()} state</Typography.Text>;
  return (
    <section aria-label={label}>
      <pre
        style={{
          margin: 0,
          padding: 12,
          background: "#fafafa",
          border: "1px solid #f0f0f0",
          borderRadius: 6,
          fontSize: 12,
          maxHeight: 360,
          overflow: "auto",
        }}
      >
        {JSON.stringify(value, null, 2)}
      </pre>
    </section>
  );
}
