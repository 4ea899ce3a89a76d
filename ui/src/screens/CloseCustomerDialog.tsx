import { Alert, App, Form, Input, Modal } from "antd";
import { useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import { coreText, useI18n } from "../i18n";

/** Closing an account (销户) needs a reason and a manager's password at the clerk's screen. */
export function CloseCustomerDialog(props: { open: boolean; customerId: string; onClose: () => void; onClosed: () => void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);

  async function submit(values: { reason: string; username: string; password: string }) {
    setError(null);
    try {
      await invoke("customer.close", {
        id: props.customerId,
        reason: values.reason,
        approval: { username: values.username, password: values.password },
      });
      message.success(t("close.done"));
      form.resetFields();
      props.onClosed();
    } catch (e) {
      setError(e instanceof CommandError ? e.error.messages.map((m) => coreText(lang, m)).join(t("list.separator")) : String(e));
    }
  }

  return (
    <Modal title={t("close.title")} open={props.open} onCancel={props.onClose} onOk={() => form.submit()} okText={t("close.confirm")} okButtonProps={{ danger: true }} destroyOnHidden>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="reason" label={t("close.reason")} rules={[{ required: true, message: t("common.required") }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t("close.manager")} style={{ marginBottom: 0 }}>
          <Form.Item name="username" rules={[{ required: true, message: t("common.required") }]} style={{ display: "inline-block", width: "48%" }}>
            <Input placeholder={t("close.managerUser")} autoComplete="off" />
          </Form.Item>
          <Form.Item name="password" rules={[{ required: true, message: t("common.required") }]} style={{ display: "inline-block", width: "48%", marginLeft: "4%" }}>
            <Input.Password placeholder={t("close.managerPassword")} autoComplete="off" />
          </Form.Item>
        </Form.Item>
      </Form>
    </Modal>
  );
}
