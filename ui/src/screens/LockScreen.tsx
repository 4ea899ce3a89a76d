import { LockOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Space, Typography } from "antd";
import { useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { SessionInfo } from "../api/generated/SessionInfo";
import type { UserMessage } from "../api/generated/UserMessage";
import { coreText, useI18n } from "../i18n";

/**
 * The locked screen, over the whole window. It says who locked it (the user's lock button, or
 * idleness) and, after too many wrong passwords, that the account is locked and for how long (the
 * core's message, which also comes for the right password while the lockout lasts).
 */
export function LockScreen(props: { session: SessionInfo; onUnlock: (s: SessionInfo) => void; onSwitchUser: () => void }) {
  const { t, lang, setLang } = useI18n();
  const [error, setError] = useState<UserMessage | string | null>(null);
  const [form] = Form.useForm<{ password: string }>();

  async function unlock({ password }: { password: string }) {
    try {
      props.onUnlock(await invoke("session.unlock", { password }));
    } catch (e) {
      setError(e instanceof CommandError ? e.error.messages[0] : String(e));
      form.resetFields();
    }
  }

  const name = props.session.user.display_name;
  return (
    <div className="center-screen locked" data-testid="lock-screen">
      <Card style={{ width: 400 }}>
        <Space direction="vertical" size="middle" style={{ width: "100%" }}>
          <Typography.Title level={4}>
            <LockOutlined /> {t("lock.title")}
          </Typography.Title>
          <Typography.Text data-testid="lock-reason">{t(props.session.locked_by_user ? "lock.hintByUser" : "lock.hint", { name })}</Typography.Text>
          {error && <Alert type="error" showIcon message={typeof error === "string" ? error : coreText(lang, error)} data-testid="lock-error" />}
          <Form form={form} onFinish={unlock} layout="vertical">
            <Form.Item name="password" rules={[{ required: true, message: t("common.required") }]}>
              <Input.Password autoFocus placeholder={t("login.password")} aria-label={t("login.password")} />
            </Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t("lock.unlock")}
              </Button>
              <Button onClick={props.onSwitchUser}>{t("lock.switchUser")}</Button>
              <Button type="link" onClick={() => setLang(lang === "zh-CN" ? "en" : "zh-CN")}>
                {t("top.language")}
              </Button>
            </Space>
          </Form>
        </Space>
      </Card>
    </div>
  );
}
