import { LeftOutlined, RightOutlined } from "@ant-design/icons";
import { Button, Flex, Space, Typography } from "antd";
import type { CursorPagination } from "@/lib/use-cursor-pagination";

/** Previous/next controls for cursor pagination (pages cannot be jumped to, only walked). */
export function CursorPager({
  pagination,
  hasNextPage,
  endCursor,
  totalCount,
  noun,
  loading,
}: {
  pagination: CursorPagination;
  hasNextPage: boolean;
  endCursor: string | null | undefined;
  totalCount?: number;
  noun: string;
  loading?: boolean;
}) {
  return (
    <Flex justify="space-between" align="center" style={{ marginTop: 16 }}>
      <Typography.Text type="secondary">
        Page {pagination.pageIndex + 1}
        {totalCount !== undefined && ` · ${totalCount} ${noun}${totalCount === 1 ? "" : "s"} in total`}
      </Typography.Text>
      <Space>
        <Button
          icon={<LeftOutlined />}
          disabled={!pagination.hasPrevious || loading}
          onClick={pagination.previous}
          aria-label="Previous page"
        >
          Previous
        </Button>
        <Button disabled={!hasNextPage || loading} onClick={() => pagination.next(endCursor)} aria-label="Next page">
          Next <RightOutlined />
        </Button>
      </Space>
    </Flex>
  );
}
