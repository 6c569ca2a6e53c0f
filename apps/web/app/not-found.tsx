"use client";

import { Button, Result } from "antd";
import Link from "next/link";

export default function NotFound() {
  return (
    <Result
      status="404"
      title="Page not found"
      subTitle="There is nothing at this address."
      extra={
        <Link href="/">
          <Button type="primary">Back to Steward</Button>
        </Link>
      }
    />
  );
}
