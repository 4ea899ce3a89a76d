import { App, Button, Card, Form, Input, Radio, Space, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { SettingValue } from "../api/generated/SettingValue";
import { parseYuan, yuan, yuanProblem } from "../form/money";
import { coreText, useI18n } from "../i18n";

const AFTER_CLOSE = "desk.after_close";
const CONFIRM_OVER = "payment.confirm_change_over_fen";

/**
 * The outlet's collection rules, for those who may change them (managers): what happens to
 * collection after 日结, and above how much change the clerk must confirm a cash tender.
 */
export function CollectionSettingsCard() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [settings, setSettings] = useState<SettingValue[] | null>(null);
  const [threshold, setThreshold] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  const fail = useCallback((e: unknown) => message.error(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e)), [lang, message]);
  const show = useCallback((list: SettingValue[]) => {
    setSettings(list);
    const over = list.find((s) => s.key === CONFIRM_OVER);
    if (over) setThreshold(yuan(Number(over.value)));
  }, []);
  useEffect(() => {
    invoke("settings.get", {}).then((r) => show(r.settings), fail);
  }, [show, fail]);

  const afterClose = settings?.find((s) => s.key === AFTER_CLOSE);
  const over = settings?.find((s) => s.key === CONFIRM_OVER);
  if (!afterClose?.editable && !over?.editable) return null;

  async function save(key: string, value: string) {
    try {
      await invoke("settings.set", { key, value });
      message.success(t("collectionSettings.saved"));
      show((await invoke("settings.get", {})).settings);
    } catch (e) {
      fail(e);
      invoke("settings.get", {}).then((r) => show(r.settings), () => {});
    }
  }

  // The choice shows at once; the saved list replaces it (or puts it back if the core refuses).
  function chooseAfterClose(value: string) {
    setSettings((list) => list?.map((x) => (x.key === AFTER_CLOSE ? { ...x, value } : x)) ?? list);
    void save(AFTER_CLOSE, value);
  }

  function saveThreshold() {
    const fen = parseYuan(threshold);
    const why = yuanProblem(threshold);
    setProblem(why);
    if (fen !== null) void save(CONFIRM_OVER, String(fen));
  }

  return (
    <Card title={t("collectionSettings.title")} data-testid="collection-settings">
      <Form layout="vertical">
        <Form.Item label={t("collectionSettings.afterClose")}>
          <Radio.Group value={afterClose?.value} disabled={!afterClose?.editable} onChange={(e) => chooseAfterClose(e.target.value)}>
            <Radio value="next_day">{t("collectionSettings.nextDay")}</Radio>
            <Radio value="refuse">{t("collectionSettings.refuse")}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item label={t("collectionSettings.confirmOver")} validateStatus={problem ? "error" : undefined}
          help={problem ? t(problem as "money.invalid") : t("collectionSettings.confirmOverHint")}>
          <Space.Compact>
            <Input aria-label={t("collectionSettings.confirmOver")} value={threshold} disabled={!over?.editable} style={{ width: 160 }}
              addonBefore="¥" onChange={(e) => setThreshold(e.target.value)} onPressEnter={saveThreshold} />
            <Button onClick={saveThreshold} disabled={!over?.editable}>{t("collectionSettings.save")}</Button>
          </Space.Compact>
        </Form.Item>
        <Typography.Text type="secondary">{t("collectionSettings.who")}</Typography.Text>
      </Form>
    </Card>
  );
}
