import { Button, Card, Table, Tag, Typography } from "antd";
import type { CustomerConflict } from "../generated/CustomerConflict";
import { call } from "../api";
import { useT } from "../i18n";
import { useLoad, useReport, when } from "./common";

export function ConflictsScreen() {
  const { t } = useT();
  const report = useReport();
  const { data, loading, reload, setData } = useLoad(() => call("GET /conflicts", null));
  const reviewed = async (c: CustomerConflict) => {
    try {
      const next = await call("POST /conflicts/{id}/reviewed", { note: "" }, { id: c.id });
      setData((list) => (list ?? []).map((x) => (x.id === next.id && x.outlet_code === next.outlet_code ? next : x)));
    } catch (e) {
      report(e);
    }
  };
  return (
    <Card title={t("conf.title")} extra={<Button onClick={reload}>{t("common.refresh")}</Button>}>
      <Typography.Paragraph type="secondary">{t("conf.explain")}</Typography.Paragraph>
      <Table<CustomerConflict>
        rowKey={(c) => `${c.outlet_code}-${c.id}`}
        size="small"
        loading={loading}
        dataSource={data ?? []}
        locale={{ emptyText: t("conf.none") }}
        columns={[
          { title: t("outlets.code"), dataIndex: "outlet_code" },
          { title: t("conf.customer"), dataIndex: "customer_id", render: (id: string) => <Typography.Text code>{id.slice(-12)}</Typography.Text> },
          { title: t("conf.field"), dataIndex: "field" },
          { title: t("conf.kept"), render: (_, c) => <span title={t("conf.by", { by: c.kept_by })}>{c.kept_value}</span> },
          { title: t("conf.overwritten"), render: (_, c) => <Typography.Text delete title={t("conf.by", { by: c.overwritten_by })}>{c.overwritten_value}</Typography.Text> },
          { title: t("late.received"), dataIndex: "merged_at", render: when },
          {
            title: "",
            render: (_, c) => (c.reviewed_at ? <Tag color="green">{t("common.reviewed")} · {c.reviewed_by}</Tag> : <Button onClick={() => reviewed(c)}>{t("common.markReviewed")}</Button>),
          },
        ]}
      />
    </Card>
  );
}
