import { Card, Empty, Typography } from "antd";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/page-header";

/** An honest placeholder: says what the page will hold, and does not pretend to work. */
export function ComingSoon({ title, summary, details }: { title: string; summary: string; details: ReactNode[] }) {
  return (
    <>
      <PageHeader title={title} subtitle={summary} />
      <Card>
        <Empty
          description={
            <>
              <Typography.Paragraph strong>Not available yet</Typography.Paragraph>
              <Typography.Paragraph type="secondary" style={{ maxWidth: 560, margin: "0 auto" }}>
                This part of Steward is planned but not built in this release. When it is, this page will let you:
              </Typography.Paragraph>
              <ul style={{ textAlign: "left", maxWidth: 520, margin: "8px auto 0", color: "rgba(0,0,0,0.65)" }}>
                {details.map((d, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: static list
                  <li key={i}>{d}</li>
                ))}
              </ul>
            </>
          }
        />
      </Card>
    </>
  );
}
