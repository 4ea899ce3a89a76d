import { Alert, Button, Card, Input, Space, Table, Typography } from "antd";
import { useEffect, useState } from "react";
import { chooseFile, inDesktopApp, invoke } from "../api/invoke";
import type { CalendarStatus } from "../api/generated/CalendarStatus";
import type { CalendarYear } from "../api/generated/CalendarYear";
import { coreText, type MessageKey, useI18n } from "../i18n";
import { errorText } from "./applications/common";

/** The working-day calendar's years and where each came from; a manager loads a published year from a file. */
export function CalendarCard() {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<CalendarStatus | null>(null);
  const [path, setPath] = useState("");
  const [message, setMessage] = useState<{ type: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => void invoke("calendar.status", {}).then(setStatus, (e) => setMessage({ type: "error", text: errorText(lang, e) })), [lang]);

  async function load() {
    let target = path.trim();
    if (inDesktopApp()) {
      target = (await chooseFile("calendar")) ?? "";
      if (!target) return;
      setPath(target);
    }
    if (!target) return;
    setBusy(true);
    try {
      const next = await invoke("calendar.load", { path: target });
      setStatus(next);
      setMessage({ type: "success", text: t("calendar.loaded") });
      window.dispatchEvent(new Event("hall:calendar-changed"));
    } catch (e) {
      setMessage({ type: "error", text: errorText(lang, e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t("calendar.title")} data-testid="calendar-card">
      <Space direction="vertical" style={{ width: "100%" }}>
        {status?.warning && <Alert type="warning" showIcon message={coreText(lang, status.warning)} />}
        <Table<CalendarYear> size="small" pagination={false} rowKey="year" dataSource={status?.years ?? []} data-testid="calendar-years" columns={[
          { title: t("calendar.year"), dataIndex: "year" },
          { title: t("calendar.source"), dataIndex: "source", render: (v: string) => (["shipped", "file", "head_office"].includes(v) ? t(`calendar.source.${v}` as MessageKey) : v) },
          { title: t("calendar.holidays"), dataIndex: "holidays", align: "right" },
          { title: t("calendar.workingWeekends"), dataIndex: "working_weekends", align: "right" },
        ]} />
        <Typography.Text type="secondary">{t("calendar.hint")}</Typography.Text>
        <Space.Compact style={{ width: "100%" }}>
          {!inDesktopApp() && <Input className="mono" placeholder={t("calendar.path")} value={path} onChange={(e) => setPath(e.target.value)} onPressEnter={() => void load()} data-testid="calendar-path" />}
          <Button loading={busy} onClick={() => void load()} data-testid="calendar-load">{inDesktopApp() ? `${t("calendar.load")}…` : t("calendar.load")}</Button>
        </Space.Compact>
        {message && <Alert type={message.type} showIcon message={message.text} data-testid="calendar-message" />}
      </Space>
    </Card>
  );
}
