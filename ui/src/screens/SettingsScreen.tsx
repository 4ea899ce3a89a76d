import { ClockCircleOutlined } from "@ant-design/icons";
import { App, Button, Card, Descriptions, Form, Input, Radio, Space } from "antd";
import { CommandError, invoke } from "../api/invoke";
import type { SessionInfo } from "../api/generated/SessionInfo";
import type { StatusInfo } from "../api/generated/StatusInfo";
import { coreText, type Lang, useI18n } from "../i18n";
import { useCan } from "../session";
import { BackupCard } from "./BackupCard";
import { CalendarCard } from "./CalendarCard";
import { CollectionSettingsCard } from "./CollectionSettingsCard";
import { DataTransferCard } from "./DataTransferCard";
import { SyncCard } from "../sync/SyncCard";

export function SettingsScreen({ session, status }: { session: SessionInfo; status: StatusInfo | null }) {
  const { t, lang, setLang } = useI18n();
  const { message } = App.useApp();
  const can = useCan();
  const [form] = Form.useForm();

  async function changePassword(values: { current_password: string; new_password: string }) {
    try {
      await invoke("user.change_own_password", values);
      message.success(t("settings.passwordChanged"));
      form.resetFields();
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      form.setFields(e.error.messages.map((m) => ({ name: m.field === "password" ? "new_password" : (m.field ?? "current_password"), errors: [coreText(lang, m)] })));
    }
  }

  return (
    <Space direction="vertical" size="large" style={{ width: "100%", maxWidth: 720 }}>
      <Card title={t("settings.language")}>
        <Radio.Group value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
          <Radio.Button value="zh-CN">简体中文</Radio.Button>
          <Radio.Button value="en">English</Radio.Button>
        </Radio.Group>
      </Card>
      <Card title={t("settings.password")}>
        <Form form={form} layout="inline" onFinish={changePassword}>
          <Form.Item name="current_password" rules={[{ required: true, message: t("common.required") }]}>
            <Input.Password placeholder={t("settings.currentPassword")} />
          </Form.Item>
          <Form.Item name="new_password" rules={[{ required: true, message: t("common.required") }]}>
            <Input.Password placeholder={t("settings.newPassword")} />
          </Form.Item>
          <Button htmlType="submit" type="primary">
            {t("form.save")}
          </Button>
        </Form>
      </Card>
      {/* Enrolment is for administrators, as the users section is. */}
      {can("user.list") && <SyncCard />}
      {can("customers.import") && <DataTransferCard />}
      {can("backup.status") && <BackupCard canChange={can("backup.run")} />}
      <CollectionSettingsCard />
      {can("calendar.load") && <CalendarCard />}
      <Card title={t("settings.workstation")}>
        <Descriptions column={1} size="small">
          <Descriptions.Item label="ID">{session.workstation_id}</Descriptions.Item>
          <Descriptions.Item label={t("app.outlet", { code: "" })}>{session.outlet_code}</Descriptions.Item>
          <Descriptions.Item label={t("top.sync.title")}>{status?.pending_events ?? "…"}</Descriptions.Item>
          <Descriptions.Item label={<ClockCircleOutlined />}>{t("settings.idle", { n: session.idle_lock_minutes })}</Descriptions.Item>
        </Descriptions>
      </Card>
    </Space>
  );
}
