"use client";

import { Form, Input, Modal } from "antd";
import { useEffect } from "react";
import { useMutation } from "urql";
import { applyFieldErrors } from "@/lib/form-errors";
import { useApiAction } from "@/lib/use-api-action";
import { CreateGroupMutation, UpdateGroupMutation } from "./operations";

type Values = { name: string; description?: string };
export type EditableGroup = { id: string; name: string; description: string };

/** Create (no `group`) or edit (with `group`) a group. */
export function GroupFormModal({
  open,
  group,
  onClose,
  onSaved,
}: {
  open: boolean;
  group?: EditableGroup | null;
  onClose: () => void;
  onSaved: (id: string) => void;
}) {
  const [form] = Form.useForm<Values>();
  const [{ fetching: creating }, create] = useMutation(CreateGroupMutation);
  const [{ fetching: updating }, update] = useMutation(UpdateGroupMutation);
  const run = useApiAction();

  useEffect(() => {
    if (open) form.setFieldsValue({ name: group?.name ?? "", description: group?.description ?? "" });
  }, [open, group, form]);

  async function onFinish(values: Values) {
    const onError = (e: Parameters<typeof applyFieldErrors>[1]) =>
      applyFieldErrors(form, e, ["name", "description"]).length === 0 && e.fields.length > 0;
    const input = { name: values.name.trim(), description: values.description?.trim() ?? "" };
    const id = group
      ? (await run(() => update({ input: { id: group.id, ...input } }), { success: "Group saved", onError }))?.updateGroup.id
      : (await run(() => create({ input }), { success: `Group ${input.name} created`, onError }))?.createGroup.id;
    if (id) onSaved(id);
  }

  return (
    <Modal
      title={group ? `Edit group ${group.name}` : "Create group"}
      open={open}
      onCancel={onClose}
      okText={group ? "Save" : "Create group"}
      confirmLoading={creating || updating}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={onFinish}>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: "A group name is required" }]}>
          <Input placeholder="e.g. analysts" />
        </Form.Item>
        <Form.Item label="Description" name="description">
          <Input.TextArea rows={3} placeholder="Who belongs here and why" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
