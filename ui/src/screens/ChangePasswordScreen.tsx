import { KeyOutlined } from "@ant-design/icons";
import { Button, Card, Form, Input, Space, Typography } from "antd";
import { CommandError, invoke } from "../api/invoke";
import type { SessionInfo } from "../api/generated/SessionInfo";
import { coreText, useI18n } from "../i18n";

interface Values {
  current_password: string;
  new_password: string;
  repeat: string;
}

/**
 * After a login with a password an administrator set (a new user, a reset): the user chooses
 * their own before anything else. The core refuses every other command of the session until then.
 */
export function ChangePasswordScreen(props: { session: SessionInfo; onChanged: (s: SessionInfo) => void; onLogout: () => void }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<Values>();

  async function submit({ current_password, new_password }: Values) {
    try {
      await invoke("user.change_own_password", { current_password, new_password });
      props.onChanged(await invoke("session.whoami", {}));
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      form.setFields(e.error.messages.map((m) => ({ name: m.field === "password" ? "new_password" : "current_password", errors: [coreText(lang, m)] })));
    }
  }

  return (
    <div className="center-screen fill-window" data-testid="change-password">
      <Card style={{ width: 420 }}>
        <Space direction="vertical" size="middle" style={{ width: "100%" }}>
          <Typography.Title level={4}>
            <KeyOutlined /> {t("mustChange.title")}
          </Typography.Title>
          <Typography.Text>{t("mustChange.hint", { name: props.session.user.display_name })}</Typography.Text>
          <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item name="current_password" label={t("mustChange.current")} rules={[{ required: true, message: t("common.required") }]}>
              <Input.Password autoFocus autoComplete="current-password" />
            </Form.Item>
            <Form.Item name="new_password" label={t("settings.newPassword")} extra={t("mustChange.rule")} rules={[{ required: true, message: t("common.required") }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Form.Item
              name="repeat"
              label={t("mustChange.repeat")}
              dependencies={["new_password"]}
              rules={[
                { required: true, message: t("common.required") },
                ({ getFieldValue }) => ({
                  validator: (_, value) => (!value || value === getFieldValue("new_password") ? Promise.resolve() : Promise.reject(new Error(t("mustChange.mismatch")))),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t("mustChange.submit")}
              </Button>
              <Button onClick={props.onLogout}>{t("top.logout")}</Button>
            </Space>
          </Form>
        </Space>
      </Card>
    </div>
  );
}
