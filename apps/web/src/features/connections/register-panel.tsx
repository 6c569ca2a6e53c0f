"use client";

import { Alert, Button, Checkbox, Flex, Space, Switch, Typography } from "antd";
import { useState } from "react";
import { useMutation } from "urql";
import { useApiAction } from "@/lib/use-api-action";
import { type CatalogSelection, CatalogTree } from "./catalog-tree";
import { RegisterDataSourcesMutation } from "./operations";

const EMPTY: CatalogSelection = { nodeIds: [], containerIds: [], labels: [] };

function describe(selection: CatalogSelection, whole: boolean): string {
  if (whole) return "Every object of this connection";
  if (selection.labels.length === 0) return "Nothing chosen yet";
  const shown = selection.labels.slice(0, 4).join(", ");
  return selection.labels.length > 4 ? `${shown} and ${selection.labels.length - 4} more` : shown;
}

/** Pick objects, whole schemas or the whole connection in the catalog, and register them as data sources. */
export function RegisterPanel({ connectionId, onRegistered }: { connectionId: string; onRegistered?: (count: number) => void }) {
  const [selection, setSelection] = useState<CatalogSelection>(EMPTY);
  const [whole, setWhole] = useState(false);
  const [autoRegisterNew, setAutoRegisterNew] = useState(true);
  const [reloadToken, setReloadToken] = useState(0);
  const [{ fetching }, register] = useMutation(RegisterDataSourcesMutation);
  const run = useApiAction();
  const hasContainers = whole || selection.containerIds.length > 0;
  const nothing = !whole && selection.nodeIds.length === 0 && selection.containerIds.length === 0;

  async function submit() {
    const input = whole
      ? { connectionId, wholeConnection: true, autoRegisterNew }
      : {
          connectionId,
          nodeIds: selection.nodeIds,
          containerIds: selection.containerIds,
          autoRegisterNew: hasContainers && autoRegisterNew,
        };
    const data = await run(() => register({ input }));
    if (!data) return;
    const count = data.registerDataSources.registeredCount;
    setSelection(EMPTY);
    setWhole(false);
    setReloadToken((t) => t + 1);
    onRegistered?.(count);
  }

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Checkbox checked={whole} onChange={(e) => setWhole(e.target.checked)}>
        Register the whole connection
      </Checkbox>
      <section aria-label="Catalog browser" style={{ border: "1px solid #f0f0f0", borderRadius: 6, padding: 8, opacity: whole ? 0.5 : 1 }}>
        <CatalogTree connectionId={connectionId} onSelectionChange={setSelection} disabled={whole} reloadToken={reloadToken} />
      </section>
      <Flex gap={12} align="center" wrap>
        <Switch
          aria-label="Auto-register new objects"
          checked={autoRegisterNew && hasContainers}
          disabled={!hasContainers}
          onChange={setAutoRegisterNew}
        />
        <Typography.Text type={hasContainers ? undefined : "secondary"}>
          Auto-register new objects that later appear in the chosen {whole ? "connection" : "schemas"}
        </Typography.Text>
      </Flex>
      <Alert
        type={nothing ? "info" : "success"}
        showIcon
        title={describe(selection, whole)}
        description="Already registered objects are skipped."
      />
      <Button type="primary" onClick={submit} loading={fetching} disabled={nothing}>
        Register data sources
      </Button>
    </Space>
  );
}
