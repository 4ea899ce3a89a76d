import { Empty } from "antd";
import { useI18n } from "../i18n";

/** Sections whose features arrive with later issues say so plainly. */
export function UpcomingScreen() {
  const { t } = useI18n();
  return <Empty style={{ marginTop: 120 }} description={<><div>{t("upcoming.title")}</div><div>{t("upcoming.hint")}</div></>} />;
}
