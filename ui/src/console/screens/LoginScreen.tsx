import { useState } from "react";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import type { OperatorInfo } from "../generated/OperatorInfo";
import { ConsoleError, call, setToken } from "../api";
import { useT } from "../i18n";

export function LoginScreen({ onLogin }: { onLogin(operator: OperatorInfo): void }) {
  const { t, text, lang, setLang } = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const reply = await call("POST /login", values);
      setToken(reply.token);
      onLogin(reply.operator);
    } catch (e) {
      setError(e instanceof ConsoleError ? text(e.body) : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ display: "grid", placeItems: "center", minHeight: "100vh", background: "#f0f2f5" }}>
      <Card style={{ width: 380 }}>
        <Typography.Title level={3}>{t("login.title")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("login.subtitle")}</Typography.Paragraph>
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label={t("login.username")} rules={[{ required: true }]}>
            <Input autoFocus autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" label={t("login.password")} rules={[{ required: true }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {error && <Alert type="error" message={error} style={{ marginBottom: 16 }} role="alert" />}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t("login.submit")}
          </Button>
        </Form>
        <Button type="link" onClick={() => setLang(lang === "zh-CN" ? "en" : "zh-CN")} style={{ marginTop: 8, padding: 0 }}>
          {t("app.language")}
        </Button>
      </Card>
    </div>
  );
}
