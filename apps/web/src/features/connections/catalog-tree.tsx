"use client";

import type { TreeDataNode, TreeProps } from "antd";
import { Empty, Space, Spin, Tag, Tree, Typography } from "antd";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useClient } from "urql";
import type { CatalogQuery as CatalogQueryType } from "@/gql/graphql";
import { toApiError } from "@/lib/api-error";
import { CatalogQuery } from "./operations";

type CatalogNode = CatalogQueryType["catalog"]["nodes"][number];
type Node = TreeDataNode & { key: string; node: CatalogNode; parentKey: string | null; children?: Node[] };

export type CatalogSelection = { nodeIds: string[]; containerIds: string[]; labels: string[] };

const LEVEL_PAGE = 200;
/** Fetching a level page by page keeps each request bounded; past this many a level is cut short. */
const LEVEL_MAX = 5000;
const CONTAINER_KINDS = new Set(["DATABASE", "SCHEMA", "BUCKET"]);

function NodeTitle({ node }: { node: CatalogNode }) {
  return (
    <Space size={6}>
      <span>{node.name}</span>
      {node.kind === "OBJECT" ? (
        <Tag>{node.objectType ?? "object"}</Tag>
      ) : (
        <Typography.Text type="secondary">{node.kind.toLowerCase()}</Typography.Text>
      )}
      {node.autoRegister && <Tag color="purple">auto-registers new objects</Tag>}
      {node.dataSource && (
        <Link href={`/data-sources/${node.dataSource.id}`} onClick={(e) => e.stopPropagation()}>
          <Tag color={node.dataSource.status === "ACTIVE" ? "green" : "default"}>
            {node.dataSource.status === "ACTIVE" ? "registered" : "registered · disabled"}
          </Tag>
        </Link>
      )}
      {!node.present && <Tag color="red">gone</Tag>}
    </Space>
  );
}

function toTreeNode(node: CatalogNode, parentKey: string | null): Node {
  return {
    key: node.id,
    node,
    parentKey,
    title: <NodeTitle node={node} />,
    isLeaf: !node.hasChildren,
    // Registered objects are already data sources: nothing left to pick.
    disableCheckbox: node.kind === "OBJECT" && node.dataSource !== null,
  };
}

function replaceChildren(nodes: Node[], key: string, children: Node[]): Node[] {
  return nodes.map((n) =>
    n.key === key ? { ...n, children } : n.children ? { ...n, children: replaceChildren(n.children, key, children) } : n,
  );
}

function indexNodes(nodes: Node[], into = new Map<string, Node>()): Map<string, Node> {
  for (const n of nodes) {
    into.set(n.key, n);
    if (n.children) indexNodes(n.children, into);
  }
  return into;
}

/**
 * The connection's catalog as a lazily loaded tree. With `onSelectionChange` it is checkable: the
 * top-most checked nodes become the selection (a checked schema registers the whole schema).
 */
export function CatalogTree({
  connectionId,
  onSelectionChange,
  disabled,
  reloadToken = 0,
}: {
  connectionId: string;
  onSelectionChange?: (selection: CatalogSelection) => void;
  disabled?: boolean;
  reloadToken?: number;
}) {
  const client = useClient();
  const [tree, setTree] = useState<Node[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<string[]>([]);
  const [loaded, setLoaded] = useState<string[]>([]);
  const [checked, setChecked] = useState<string[]>([]);

  const fetchLevel = useCallback(
    async (parentId: string | null): Promise<CatalogNode[]> => {
      const all: CatalogNode[] = [];
      let after: string | null = null;
      do {
        const res = await client
          .query(CatalogQuery, { connectionId, parentId, first: LEVEL_PAGE, after }, { requestPolicy: "network-only" })
          .toPromise();
        if (res.error || !res.data) throw new Error(toApiError(res.error)?.message ?? "Could not load the catalog");
        all.push(...res.data.catalog.nodes);
        after = res.data.catalog.pageInfo.hasNextPage ? (res.data.catalog.pageInfo.endCursor ?? null) : null;
      } while (after && all.length < LEVEL_MAX);
      return all;
    },
    [client, connectionId],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadToken is how the parent asks for a fresh tree.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const roots = (await fetchLevel(null)).map((n) => toTreeNode(n, null));
        // A connection usually has a database or two: open them so the schemas show at once.
        const open = roots.length <= 3 ? roots.filter((r) => !r.isLeaf) : [];
        const withChildren = await Promise.all(
          open.map(async (r) => ({ ...r, children: (await fetchLevel(r.key)).map((c) => toTreeNode(c, r.key)) })),
        );
        const byKey = new Map(withChildren.map((r) => [r.key, r]));
        if (cancelled) return;
        setTree(roots.map((r) => byKey.get(r.key) ?? r));
        setExpanded(open.map((r) => r.key));
        setLoaded(open.map((r) => r.key));
        setChecked([]);
        setError(null);
      } catch (e) {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [fetchLevel, reloadToken]);

  const loadData = useCallback(
    async (treeNode: { key: React.Key }) => {
      const key = String(treeNode.key);
      const children = (await fetchLevel(key)).map((c) => toTreeNode(c, key));
      setTree((t) => (t ? replaceChildren(t, key, children) : t));
      setLoaded((l) => [...l, key]);
    },
    [fetchLevel],
  );

  const onCheck: TreeProps["onCheck"] = (value) => {
    const keys = (Array.isArray(value) ? value : value.checked).map(String);
    setChecked(keys);
    if (!onSelectionChange || !tree) return;
    const index = indexNodes(tree);
    const set = new Set(keys);
    const top = keys.map((k) => index.get(k)).filter((n): n is Node => n !== undefined && !(n.parentKey && set.has(n.parentKey)));
    onSelectionChange({
      containerIds: top.filter((n) => CONTAINER_KINDS.has(n.node.kind)).map((n) => n.key),
      nodeIds: top.filter((n) => !CONTAINER_KINDS.has(n.node.kind) && !n.node.dataSource).map((n) => n.key),
      labels: top.map((n) => n.node.path.join(".")),
    });
  };

  if (error) return <Typography.Text type="danger">{error}</Typography.Text>;
  if (!tree) return <Spin description="Loading the catalog…" />;
  if (tree.length === 0) return <Empty description="Nothing discovered yet. Run a sync to crawl this connection." />;
  return (
    <Tree<Node>
      aria-label="Catalog"
      checkable={Boolean(onSelectionChange)}
      disabled={disabled}
      treeData={tree}
      loadData={loadData}
      loadedKeys={loaded}
      expandedKeys={expanded}
      onExpand={(keys) => setExpanded(keys.map(String))}
      checkedKeys={checked}
      onCheck={onCheck}
      selectedKeys={[]}
      // Clicking a name opens or closes it, like the arrow.
      onSelect={(_, { node }) => {
        if (node.isLeaf) return;
        const key = String(node.key);
        const opening = !expanded.includes(key);
        setExpanded((e) => (opening ? [...e, key] : e.filter((k) => k !== key)));
        if (opening && !loaded.includes(key)) void loadData({ key });
      }}
      height={480}
      virtual
    />
  );
}
