import { Alert, Button, Card, Descriptions, Input, InputNumber, Space, Table, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { DayPaper } from "../api/generated/DayPaper";
import type { DayReport } from "../api/generated/DayReport";
import type { DeskState } from "../api/generated/DeskState";
import type { ManagerApproval } from "../api/generated/ManagerApproval";
import { useLabels } from "../catalog";
import { yuan } from "../form/money";
import { coreText, useI18n } from "../i18n";
import { useCan } from "../session";
import { outletTime } from "../time";
import { ApprovalFields } from "./ApprovalFields";
import { openPdf } from "./pdf";

/** 轧账 and 日结: close the desk with a count, then the day's report and papers. */
export function DayEndScreen() {
  const { t, lang } = useI18n();
  const can = useCan();
  const [desk, setDesk] = useState<DeskState | null>(null);
  const [report, setReport] = useState<DayReport | null>(null);
  const [date, setDate] = useState("");
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));

  const load = useCallback(async () => {
    try {
      setDesk(await invoke("desk.current", {}));
      setReport(await invoke("dayend.report", { date: date || null }));
    } catch (e) {
      fail(e);
    }
  }, [date]); // eslint-disable-line react-hooks/exhaustive-deps
  // load sets state only after its awaits, not synchronously in the effect.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void load(), [load]);

  async function paper(kind: DayPaper) {
    try {
      // Opened where it can be read, printed and saved: a browser tab, or the system's PDF viewer.
      await openPdf(await invoke("dayend.pdf", { date: date || null, paper: kind, path: null }));
    } catch (e) {
      fail(e);
    }
  }

  async function closeDay() {
    try {
      setReport(await invoke("dayend.close", { date: date || null }));
      setError(null);
    } catch (e) {
      fail(e);
    }
  }

  return (
    <Space direction="vertical" style={{ width: "100%" }} size="middle">
      {desk?.session && <CloseDesk desk={desk} onClosed={load} />}
      <Space>
        <Typography.Text>{t("dayend.date")}</Typography.Text>
        <Input aria-label={t("dayend.date")} placeholder={report?.date ?? "YYYY-MM-DD"} value={date} onChange={(e) => setDate(e.target.value)} style={{ width: 160 }} onPressEnter={load} />
        <Button onClick={load}>{t("dayend.refresh")}</Button>
        <Button onClick={() => paper("daily_report")}>{t("dayend.dailyReport")}</Button>
        <Button onClick={() => paper("deposit_slip")}>{t("dayend.depositSlip")}</Button>
        {can("dayend.close") && <Button type="primary" onClick={closeDay} disabled={!!report?.closed_at}>{t("dayend.close")}</Button>}
      </Space>
      {error && <Alert type="error" showIcon message={error} />}
      {report && <Report report={report} />}
    </Space>
  );
}

function Report({ report }: { report: DayReport }) {
  const { t } = useI18n();
  const { label } = useLabels();
  return (
    <Card size="small" title={t("dayend.title", { date: report.date })} data-testid="day-report">
      {report.pending_events > 0 && <Alert type="warning" showIcon style={{ marginBottom: 8 }} message={t("dayend.pending", { n: report.pending_events })} />}
      {report.closed_at && <Alert type="success" showIcon style={{ marginBottom: 8 }} message={t("dayend.closedAt", { at: outletTime(report.closed_at) })} />}
      <Descriptions size="small" column={3} items={[
        { key: "total", label: t("dayend.total"), children: `¥${yuan(report.total)} (${report.payments})` },
        { key: "bills", label: t("dayend.bills"), children: `¥${yuan(report.bills_settled)}` },
        { key: "late", label: t("bill.lateFee"), children: `¥${yuan(report.late_fees)}` },
        { key: "rev", label: t("dayend.reversals"), children: `${report.reversals} / ¥${yuan(report.reversed_amount)}` },
        { key: "red", label: t("dayend.redLetters"), children: `${report.red_letters} / ¥${yuan(report.red_letter_amount)}` },
        { key: "deposit", label: t("dayend.deposit"), children: `¥${yuan(report.deposit)}` },
        { key: "overshort", label: t("desk.overShort"), children: `¥${yuan(report.over_short)}` },
      ]} />
      <Space align="start" size="large" wrap>
        <Table size="small" pagination={false} rowKey="kind" dataSource={report.by_tender} title={() => t("dayend.byTender")} columns={[
          { title: t("pay.tenderKind"), render: (_, r) => label("tender_kinds", r.kind) },
          { title: t("pay.amount"), align: "right", render: (_, r) => yuan(r.amount) },
        ]} />
        <Table size="small" pagination={false} rowKey="clerk_id" dataSource={report.by_clerk} title={() => t("dayend.byClerk")} columns={[
          { title: t("receipt.clerk"), dataIndex: "clerk_name" },
          { title: t("dayend.count"), dataIndex: "payments", align: "right" },
          { title: t("pay.amount"), align: "right", render: (_, r) => yuan(r.amount) },
        ]} />
        <Table size="small" pagination={false} rowKey="id" dataSource={report.desks} title={() => t("dayend.byDesk")} columns={[
          { title: t("receipt.clerk"), dataIndex: "clerk_name" },
          { title: t("desk.float"), align: "right", render: (_, d) => yuan(d.float) },
          { title: t("desk.expectedCash"), align: "right", render: (_, d) => (d.expected ? yuan(d.expected.cash) : "—") },
          { title: t("desk.counted"), align: "right", render: (_, d) => (d.counted_cash !== null ? yuan(d.counted_cash) : "—") },
          { title: t("desk.overShort"), align: "right", render: (_, d) => (d.over_short !== null ? yuan(d.over_short) : "—") },
        ]} />
      </Space>
    </Card>
  );
}

function CloseDesk(props: { desk: DeskState; onClosed: () => void }) {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  // The notes and coins, from the core: the value in fen and its label.
  const denominations = options("denominations").map((o) => ({ fen: Number(o.value), label: o.label }));
  const [counts, setCounts] = useState<Record<number, number>>({});
  const [approval, setApproval] = useState<ManagerApproval>({ username: "", password: "" });
  const [error, setError] = useState<string | null>(null);
  const expected = props.desk.expected;
  const counted = denominations.reduce((s, d) => s + d.fen * (counts[d.fen] ?? 0), 0);
  const overShort = counted - (expected?.cash ?? 0);

  async function close() {
    try {
      await invoke("desk.close", {
        count: denominations.map((d) => ({ denomination: d.fen, count: counts[d.fen] ?? 0 })),
        approval: overShort !== 0 ? approval : null,
      });
      setError(null);
      props.onClosed();
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }

  return (
    <Card size="small" title={t("desk.closeTitle", { name: props.desk.session?.clerk_name ?? "" })}>
      <Space align="start" size="large" wrap>
        <Table size="small" pagination={false} rowKey="kind" dataSource={expected?.takings ?? []} title={() => t("desk.expected")} columns={[
          { title: t("pay.tenderKind"), render: (_, r) => label("tender_kinds", r.kind) },
          { title: t("pay.amount"), align: "right", render: (_, r) => yuan(r.amount) },
        ]} footer={() => `${t("desk.expectedCash")}: ¥${yuan(expected?.cash ?? 0)}（${t("desk.float")} ¥${yuan(expected?.float ?? 0)}）`} />
        <Space direction="vertical">
          {denominations.map((d) => (
            <Space key={d.fen}>
              <span style={{ display: "inline-block", width: 56 }}>{d.label}</span>
              <InputNumber aria-label={`${t("desk.countOf")} ${d.label}`} min={0} precision={0} value={counts[d.fen] ?? 0} onChange={(v) => setCounts((c) => ({ ...c, [d.fen]: Number(v ?? 0) }))} />
            </Space>
          ))}
        </Space>
        <Space direction="vertical">
          <Typography.Text>{t("desk.counted")}: ¥{yuan(counted)}</Typography.Text>
          <Typography.Text strong type={overShort === 0 ? undefined : "danger"} data-testid="over-short">{t("desk.overShort")}: ¥{yuan(overShort)}</Typography.Text>
          {overShort !== 0 && <><Typography.Text>{t("desk.needsManager")}</Typography.Text><ApprovalFields value={approval} onChange={setApproval} /></>}
          <Button type="primary" onClick={close}>{t("desk.close")}</Button>
          {error && <Alert type="error" message={error} />}
        </Space>
      </Space>
    </Card>
  );
}
