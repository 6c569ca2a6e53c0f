"use client";

import { Card, Empty, Flex, Input, Select, type SelectProps, Table, type TableProps } from "antd";
import { type ReactNode, useCallback, useState } from "react";
import type { CombinedError } from "urql";
import { CursorPager } from "@/components/cursor-pager";
import { QueryError } from "@/components/query-error";
import { type CursorPagination, useCursorPagination } from "@/lib/use-cursor-pagination";

type Filters = Record<string, string | undefined>;

/**
 * Filter state for a cursor-paginated list: changing any filter starts again from the first page
 * (a cursor from one filter means nothing under another).
 */
export function useListFilters<F extends Filters>(initial: F) {
  const pagination = useCursorPagination();
  const [filters, setFilters] = useState<F>(initial);
  const { reset } = pagination;
  const setFilter = useCallback(
    <K extends keyof F>(key: K) =>
      (value: F[K]) => {
        setFilters((f) => ({ ...f, [key]: value }));
        reset();
      },
    [reset],
  );
  const filtered = Object.values(filters).some((v) => v !== undefined && v !== "");
  return { filters, setFilter, filtered, pagination };
}

/** A clearable filter beside the search box; cleared means "any". */
export function FilterSelect<V extends string>({
  label,
  width = 200,
  ...rest
}: { label: string; width?: number } & Omit<SelectProps<V>, "aria-label" | "allowClear" | "style">) {
  return <Select<V> aria-label={label} allowClear style={{ width }} {...rest} />;
}

type ListPage<Row> = { nodes: Row[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount?: number };

type ListCardProps<Row> = {
  page: ListPage<Row> | undefined;
  fetching: boolean;
  error: CombinedError | undefined;
  onRetry: () => void;
  pagination: CursorPagination;
  /** Singular, for "3 users in total". */
  noun: string;
  /** The free-text search box that leads the filters. */
  search: { label: string; placeholder: string; onSearch: (text: string) => void; width?: number };
  /** Further filter controls beside the search box. */
  filters?: ReactNode;
  emptyText: string;
  /** E.g. a link to where the first item is made. */
  emptyAction?: ReactNode;
  columns: TableProps<Row>["columns"];
  onRow?: TableProps<Row>["onRow"];
};

/** The list pages' shared frame: error banner, filters, table and cursor pager. */
export function ListCard<Row extends { id: string }>({
  page,
  fetching,
  error,
  onRetry,
  pagination,
  noun,
  search,
  filters,
  emptyText,
  emptyAction,
  columns,
  onRow,
}: ListCardProps<Row>) {
  return (
    <>
      {error && <QueryError error={error} onRetry={onRetry} />}
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            aria-label={search.label}
            placeholder={search.placeholder}
            allowClear
            onSearch={search.onSearch}
            style={{ width: search.width ?? 300 }}
          />
          {filters}
        </Flex>
        <Table<Row>
          rowKey="id"
          loading={fetching}
          dataSource={page?.nodes ?? []}
          pagination={false}
          onRow={onRow}
          locale={{ emptyText: <Empty description={emptyText}>{emptyAction}</Empty> }}
          columns={columns}
        />
        <CursorPager
          pagination={pagination}
          hasNextPage={page?.pageInfo.hasNextPage ?? false}
          endCursor={page?.pageInfo.endCursor}
          totalCount={page?.totalCount}
          noun={noun}
          loading={fetching}
        />
      </Card>
    </>
  );
}
