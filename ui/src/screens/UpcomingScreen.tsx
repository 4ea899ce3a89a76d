import { Empty } from "antd";
import { type MessageKey, useI18n } from "../i18n";

/** A section whose features are not in this version (new connections, service requests,
 *  reports) says so, naming it. `section` is its navigation key. */
export function UpcomingScreen(props: { section: string }) {
  const { t } = useI18n();
  const name = t(`upcoming.section.${props.section}` as MessageKey);
  return (
    <Empty
      style={{ marginTop: 120 }}
      data-testid="upcoming"
      description={
        <>
          <div>{t("upcoming.title", { section: name })}</div>
          <div>{t("upcoming.hint")}</div>
        </>
      }
    />
  );
}
