import { Alert, Button, Input, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { DeskState } from "../api/generated/DeskState";
import { parseYuan, yuan } from "../form/money";
import { coreText, useI18n } from "../i18n";

/** The desk's state above the collection screen: open it with a float, or see what it holds. */
export function DeskBar(props: { desk: DeskState | null; onChange: (d: DeskState) => void }) {
  const { t, lang } = useI18n();
  const [float, setFloat] = useState("200");
  const [error, setError] = useState<string | null>(null);
  const session = props.desk?.session;

  async function open() {
    const fen = parseYuan(float);
    if (fen === null) return setError(t("money.invalid"));
    try {
      props.onChange(await invoke("desk.open", { float: fen }));
      setError(null);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }

  if (!session) {
    return (
      <Space direction="vertical" style={{ width: "100%" }}>
        <Alert type="warning" showIcon message={t("desk.closedHint")} />
        <Space>
          <Typography.Text>{t("desk.float")}</Typography.Text>
          <Input aria-label={t("desk.float")} value={float} onChange={(e) => setFloat(e.target.value)} style={{ width: 120 }} suffix="元" onPressEnter={open} />
          <Button type="primary" onClick={open}>{t("desk.open")}</Button>
        </Space>
        {error && <Alert type="error" message={error} />}
      </Space>
    );
  }
  return (
    <Space wrap className="desk-bar">
      <Tag color="green">{t("desk.isOpen", { name: session.clerk_name, date: session.business_date })}</Tag>
      <Typography.Text>{t("desk.expectedCash")}: ¥{yuan(props.desk?.expected?.cash ?? 0)}</Typography.Text>
      <Typography.Text type="secondary">{t("desk.payments", { n: props.desk?.expected?.payments ?? 0 })}</Typography.Text>
    </Space>
  );
}
