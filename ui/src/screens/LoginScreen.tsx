import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Space, Typography } from "antd";
import { useState } from "react";
import { CommandError, client, invoke } from "../api/invoke";
import type { SessionInfo } from "../api/generated/SessionInfo";
import { coreText, useI18n } from "../i18n";

export function LoginScreen({ onLogin }: { onLogin: (session: SessionInfo) => void }) {
  const { t, lang, setLang } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      const result = await invoke("session.login", values);
      client.setToken(result.token);
      onLogin(result.session);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : t("error.network", { detail: String(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="center-screen">
      <Card style={{ width: 380 }}>
        <Space direction="vertical" size="large" style={{ width: "100%" }}>
          <div>
            <Typography.Title level={3} style={{ marginBottom: 4 }}>
              {t("login.title")}
            </Typography.Title>
            <Typography.Text type="secondary">{t("login.subtitle")}</Typography.Text>
          </div>
          {error && <Alert type="error" showIcon message={error} data-testid="login-error" />}
          <Form layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item name="username" label={t("login.username")} rules={[{ required: true, message: t("common.required") }]}>
              <Input prefix={<UserOutlined />} autoFocus autoComplete="username" />
            </Form.Item>
            <Form.Item name="password" label={t("login.password")} rules={[{ required: true, message: t("common.required") }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t("login.submit")}
            </Button>
          </Form>
          <Button type="link" onClick={() => setLang(lang === "zh-CN" ? "en" : "zh-CN")} style={{ padding: 0 }}>
            {t("top.language")}
          </Button>
        </Space>
      </Card>
    </div>
  );
}
