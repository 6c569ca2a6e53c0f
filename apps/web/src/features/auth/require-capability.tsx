"use client";

import { Button, Result } from "antd";
import Link from "next/link";
import type { ReactNode } from "react";
import type { Capability } from "./access";
import { useCan } from "./viewer-context";

/** Shows a clear 403 instead of a page the viewer cannot use (the API refuses it anyway). */
export function RequireCapability({ capability, children }: { capability: Capability; children: ReactNode }) {
  const allowed = useCan(capability);
  if (allowed) return children;
  return (
    <Result
      status="403"
      title="403 — Not allowed"
      subTitle="Your roles do not give you access to this page. Ask a Steward administrator if you need it."
      extra={
        <Link href="/">
          <Button type="primary">Back to overview</Button>
        </Link>
      }
    />
  );
}
