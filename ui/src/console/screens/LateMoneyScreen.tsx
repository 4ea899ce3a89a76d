import { Button, Card, Input, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import type { LateMoneyItem } from "../generated/LateMoneyItem";
import { call } from "../api";
import { type ConsoleKey, useT } from "../i18n";
import { useLoad, useReport, when, yuan } from "./common";

const key = (m: LateMoneyItem) => `${m.outlet_code}.${m.workstation_id}.${m.epoch}.${m.seq}`;

export function LateMoneyScreen() {
  const { t } = useT();
  const report = useReport();
  const { data, loading, reload, setData } = useLoad(() => call("GET /late-money", null));
  const [notes, setNotes] = useState<Record<string, string>>({});
  const reviewed = async (m: LateMoneyItem) => {
    try {
      const next = await call("POST /late-money/{key}/reviewed", { note: notes[key(m)] ?? "" }, { key: key(m) });
      setData((list) => (list ?? []).map((x) => (key(x) === key(next) ? next : x)));
    } catch (e) {
      report(e);
    }
  };
  const reason = (r: string) => {
    const k = `late.reason.${r}` as ConsoleKey;
    return k === "late.reason.day_closed" || k === "late.reason.bill_superseded" ? t(k) : r;
  };
  return (
    <Card title={t("late.title")} extra={<Button onClick={reload}>{t("common.refresh")}</Button>}>
      <Typography.Paragraph type="secondary">{t("late.explain")}</Typography.Paragraph>
      <Table<LateMoneyItem>
        rowKey={key}
        size="small"
        loading={loading}
        dataSource={data ?? []}
        locale={{ emptyText: t("late.none") }}
        columns={[
          { title: t("outlets.code"), dataIndex: "outlet_code" },
          { title: t("late.receipt"), dataIndex: "receipt_no" },
          { title: t("late.account"), dataIndex: "account" },
          { title: t("late.amount"), dataIndex: "amount", align: "right", render: yuan },
          { title: t("late.reason"), dataIndex: "reason", render: reason },
          { title: t("late.received"), dataIndex: "received_at", render: when },
          {
            title: "",
            render: (_, m) =>
              m.reviewed_at ? (
                <Tag color="green">
                  {t("common.reviewed")} · {m.reviewed_by} {m.note}
                </Tag>
              ) : (
                <Space.Compact>
                  <Input aria-label={t("common.note")} placeholder={t("common.note")} value={notes[key(m)] ?? ""} onChange={(e) => setNotes({ ...notes, [key(m)]: e.target.value })} />
                  <Button onClick={() => reviewed(m)}>{t("common.markReviewed")}</Button>
                </Space.Compact>
              ),
          },
        ]}
      />
    </Card>
  );
}
