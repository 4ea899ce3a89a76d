import { PlusOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { Role } from "../api/generated/Role";
import type { SessionInfo } from "../api/generated/SessionInfo";
import type { UserStatus } from "../api/generated/UserStatus";
import { useLabels } from "../catalog";
import { coreText, useI18n } from "../i18n";
import { outletTime } from "../time";

type Dialog = { kind: "add" } | { kind: "role" | "reset"; user: UserStatus } | null;

/**
 * The administrator's user list: role and state of each user, and the actions on them. The core
 * audits each one and refuses them to other roles; it also refuses disabling, demoting or
 * resetting oneself, which is why one's own row offers none of those.
 */
export function UsersScreen({ session }: { session: SessionInfo }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const { message, modal } = App.useApp();
  const [users, setUsers] = useState<UserStatus[]>([]);
  const [dialog, setDialog] = useState<Dialog>(null);

  const fail = useCallback((e: unknown) => message.error(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e)), [lang, message]);
  const load = useCallback(() => invoke("user.list", {}).then((list) => setUsers(list.users), fail), [fail]);
  useEffect(() => {
    void load();
  }, [load]);

  async function act(run: () => Promise<unknown>, done: string) {
    try {
      await run();
      message.success(done);
      await load();
    } catch (e) {
      fail(e);
    }
  }

  function disable(u: UserStatus) {
    modal.confirm({
      title: t("users.disableConfirm", { name: u.user.display_name }),
      content: t("users.disableHint"),
      okText: t("users.disable"),
      okButtonProps: { danger: true, autoFocus: true },
      onOk: () => act(() => invoke("user.set_active", { username: u.user.username, active: false }), t("users.disabled", { name: u.user.display_name })),
    });
  }

  const self = (u: UserStatus) => u.user.id === session.user.id;
  return (
    <Card
      title={t("users.title")}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ kind: "add" })} data-testid="add-user">
          {t("users.add")}
        </Button>
      }
    >
      <Table<UserStatus>
        size="small"
        rowKey={(u) => u.user.id}
        dataSource={users}
        pagination={false}
        data-testid="users"
        columns={[
          { title: t("users.username"), render: (_, u) => <span className="mono">{u.user.username}</span>, width: 130 },
          { title: t("users.name"), render: (_, u) => u.user.display_name, width: 110 },
          { title: t("users.role"), render: (_, u) => label("roles", u.user.role), width: 140 },
          {
            title: t("users.state"),
            render: (_, u) => (
              <Space size={4} wrap>
                {u.user.active ? <Tag color="green">{t("users.active")}</Tag> : <Tag>{t("users.inactive")}</Tag>}
                {u.locked_until && <Tag color="orange">{t("users.lockedUntil", { at: outletTime(u.locked_until) })}</Tag>}
                {u.must_change_password && <Tag color="blue">{t("users.mustChange")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("users.actions"),
            render: (_, u) => (
              <Space size={4} wrap>
                {!self(u) && <Button size="small" onClick={() => setDialog({ kind: "role", user: u })}>{t("users.changeRole")}</Button>}
                {!self(u) && <Button size="small" onClick={() => setDialog({ kind: "reset", user: u })}>{t("users.reset")}</Button>}
                {u.locked_until && (
                  <Button size="small" onClick={() => void act(() => invoke("user.unlock", { username: u.user.username }), t("users.unlocked", { name: u.user.display_name }))}>
                    {t("users.unlock")}
                  </Button>
                )}
                {!self(u) && u.user.active && <Button size="small" danger onClick={() => disable(u)}>{t("users.disable")}</Button>}
                {!u.user.active && (
                  <Button size="small" onClick={() => void act(() => invoke("user.set_active", { username: u.user.username, active: true }), t("users.enabled", { name: u.user.display_name }))}>
                    {t("users.enable")}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <UserDialog dialog={dialog} onClose={() => setDialog(null)} onDone={(done) => { setDialog(null); message.success(done); void load(); }} />
    </Card>
  );
}

interface DialogValues {
  username: string;
  display_name: string;
  role: Role;
  password: string;
}

/** Adding a user, changing a role, or resetting a password: one small form in a dialog. */
function UserDialog(props: { dialog: Dialog; onClose: () => void; onDone: (message: string) => void }) {
  const { t, lang } = useI18n();
  const { options } = useLabels();
  const [form] = Form.useForm<DialogValues>();
  const [error, setError] = useState<string | null>(null);
  const { dialog } = props;
  const target = dialog && dialog.kind !== "add" ? dialog.user.user : null;
  // One dialog serves every action: each opening starts from empty fields (and the user's role),
  // even when the previous one is still fading out.
  useEffect(() => {
    if (dialog) form.resetFields();
  }, [dialog, form]);

  async function submit(values: DialogValues) {
    if (!dialog) return;
    try {
      if (dialog.kind === "add") {
        const user = await invoke("user.create", values);
        props.onDone(t("users.added", { name: user.display_name }));
      } else if (dialog.kind === "role") {
        const user = await invoke("user.set_role", { username: dialog.user.user.username, role: values.role });
        props.onDone(t("users.roleChanged", { name: user.display_name }));
      } else {
        const user = await invoke("user.set_password", { username: dialog.user.user.username, password: values.password });
        props.onDone(t("users.resetDone", { name: user.display_name }));
      }
      setError(null);
    } catch (e) {
      if (!(e instanceof CommandError)) return setError(String(e));
      const fields = ["username", "display_name", "role", "password"];
      const onFields = e.error.messages.filter((m) => m.field && fields.includes(m.field));
      form.setFields(onFields.map((m) => ({ name: m.field as keyof DialogValues, errors: [coreText(lang, m)] })));
      const rest = e.error.messages.filter((m) => !onFields.includes(m));
      setError(rest.length ? rest.map((m) => coreText(lang, m)).join("；") : null);
    }
  }

  const title =
    dialog?.kind === "add" ? t("users.add")
    : dialog?.kind === "role" ? t("users.roleTitle", { name: target?.display_name ?? "" })
    : t("users.resetTitle", { name: target?.display_name ?? "" });
  const required = [{ required: true, message: t("common.required") }];
  return (
    <Modal
      open={!!dialog}
      title={title}
      onCancel={props.onClose}
      footer={null}
      destroyOnHidden
      afterClose={() => setError(null)}
      // The first field takes the keys once the dialog is open (an autoFocus at mount loses to the dialog's own focus).
      afterOpenChange={(open) => open && form.getFieldInstance(dialog?.kind === "add" ? "username" : dialog?.kind === "role" ? "role" : "password")?.focus()}
    >
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} initialValues={{ role: target?.role ?? "clerk" }} preserve={false}>
        {dialog?.kind === "add" && (
          <>
            <Form.Item name="username" label={t("users.username")} rules={required} extra={t("users.usernameRule")}>
              <Input autoComplete="off" className="mono" />
            </Form.Item>
            <Form.Item name="display_name" label={t("users.name")} rules={required}>
              <Input autoComplete="off" />
            </Form.Item>
          </>
        )}
        {dialog?.kind !== "reset" && (
          <Form.Item name="role" label={t("users.role")} rules={required}>
            <Select aria-label={t("users.role")} options={options("roles")} />
          </Form.Item>
        )}
        {dialog?.kind !== "role" && (
          <Form.Item
            name="password"
            label={dialog?.kind === "add" ? t("users.firstPassword") : t("users.tempPassword")}
            rules={required}
            extra={t("users.tempPasswordHint")}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
        <Space>
          <Button type="primary" htmlType="submit">
            {dialog?.kind === "reset" ? t("users.reset") : t("form.save")}
          </Button>
          <Button onClick={props.onClose}>{t("users.cancel")}</Button>
        </Space>
        {dialog?.kind === "reset" && <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>{t("users.resetEffect")}</Typography.Paragraph>}
      </Form>
    </Modal>
  );
}
