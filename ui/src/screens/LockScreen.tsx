import { LockOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Space, Typography } from "antd";
import { useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { SessionInfo } from "../api/generated/SessionInfo";
import { coreText, useI18n } from "../i18n";

export function LockScreen(props: { session: SessionInfo; onUnlock: (s: SessionInfo) => void; onSwitchUser: () => void }) {
  const { t, lang } = useI18n();
  const [error, setError] = useState<string | null>(null);

  async function unlock({ password }: { password: string }) {
    try {
      props.onUnlock(await invoke("session.unlock", { password }));
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }

  return (
    <div className="center-screen locked">
      <Card style={{ width: 380 }}>
        <Space direction="vertical" size="middle" style={{ width: "100%" }}>
          <Typography.Title level={4}>
            <LockOutlined /> {t("lock.title")}
          </Typography.Title>
          <Typography.Text>{t("lock.hint", { name: props.session.user.display_name })}</Typography.Text>
          {error && <Alert type="error" showIcon message={error} />}
          <Form onFinish={unlock} layout="vertical">
            <Form.Item name="password" rules={[{ required: true, message: t("common.required") }]}>
              <Input.Password autoFocus placeholder={t("login.password")} />
            </Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t("lock.unlock")}
              </Button>
              <Button onClick={props.onSwitchUser}>{t("lock.switchUser")}</Button>
            </Space>
          </Form>
        </Space>
      </Card>
    </div>
  );
}
