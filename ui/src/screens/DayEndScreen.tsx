import { Alert, Button, Card, Descriptions, Input, InputNumber, Modal, Space, Table, Typography } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { DayPaper } from "../api/generated/DayPaper";
import type { DayReport } from "../api/generated/DayReport";
import type { DeskState } from "../api/generated/DeskState";
import type { ManagerApproval } from "../api/generated/ManagerApproval";
import { useLabels } from "../catalog";
import { yuan } from "../form/money";
import { coreText, type MessageKey, useI18n } from "../i18n";
import { useCan } from "../session";
import { unsentPhrases } from "../sync/syncState";
import { useSync } from "../sync/useSync";
import { outletTime } from "../time";
import { ApprovalFields } from "./ApprovalFields";
import { openPdf } from "./pdf";

/** The most notes or coins of one denomination a count may hold (the core's `desk::MAX_COUNT`). */
const MAX_COUNT = 100_000;

/** 轧账 and 日结: close the desk with a count, then the day's report and papers. */
export function DayEndScreen() {
  const { t, lang } = useI18n();
  const can = useCan();
  const [desk, setDesk] = useState<DeskState | null>(null);
  const [report, setReport] = useState<DayReport | null>(null);
  const [date, setDate] = useState("");
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
  // The date as typed: not yet a date, or later than the date money is taken for, is said at the
  // field and not asked of the core; the message goes as soon as the date is valid.
  const latest = desk?.collecting_for ?? null;
  const dateProblem: MessageKey | null = date === "" ? null
    : !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ? "dayend.dateFormat"
    : latest !== null && date > latest ? "dayend.future"
    : null;

  const load = useCallback(async () => {
    try {
      setDesk(await invoke("desk.current", {}));
      if (dateProblem) return;
      setReport(await invoke("dayend.report", { date: date || null }));
      setError(null);
    } catch (e) {
      fail(e);
    }
  }, [date, dateProblem]); // eslint-disable-line react-hooks/exhaustive-deps
  // load sets state only after its awaits, not synchronously in the effect.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void load(), [load]);

  async function paper(kind: DayPaper) {
    if (dateProblem) return;
    try {
      // Opened where it can be read, printed and saved: a browser tab, or the system's PDF viewer.
      await openPdf(await invoke("dayend.pdf", { date: date || null, paper: kind, path: null }));
    } catch (e) {
      fail(e);
    }
  }

  async function closeDay() {
    if (dateProblem) return;
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
        <Input aria-label={t("dayend.date")} placeholder={report?.date ?? "YYYY-MM-DD"} value={date} onChange={(e) => setDate(e.target.value.trim())} style={{ width: 160 }} onPressEnter={load}
          status={dateProblem ? "error" : undefined} />
        <Button onClick={load}>{t("dayend.refresh")}</Button>
        <Button onClick={() => paper("daily_report")}>{t("dayend.dailyReport")}</Button>
        <Button onClick={() => paper("deposit_slip")}>{t("dayend.depositSlip")}</Button>
        {can("dayend.close") && <Button type="primary" onClick={closeDay} disabled={!!report?.closed_at}>{t("dayend.close")}</Button>}
      </Space>
      {dateProblem && <Typography.Text type="danger" data-testid="date-error">{t(dateProblem, { latest: latest ?? "" })}</Typography.Text>}
      {error && <Alert type="error" showIcon message={error} />}
      {report && !dateProblem && report.closed_at && <ReopenDay date={report.date} onDone={(r) => { setReport(r); setError(null); void load(); }} />}
      {report && <Report report={report} />}
    </Space>
  );
}

function Report({ report }: { report: DayReport }) {
  const { t } = useI18n();
  const { label } = useLabels();
  return (
    <Card size="small" title={t("dayend.title", { date: report.date })} data-testid="day-report">
      <UnsentLine report={report} />
      {report.closed_at && <Alert type="success" showIcon style={{ marginBottom: 8 }} message={t("dayend.closedAt", { at: outletTime(report.closed_at) })} />}
      {report.reopened_at && <Alert type="info" showIcon style={{ marginBottom: 8 }} data-testid="day-reopened" message={t("dayend.reopenedAt", { at: outletTime(report.reopened_at) })} />}
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

/** What head office has not yet received, said plainly: the payments and their total, then the other
 *  records (from `sync.status`, asked again when the report is shown); the outbox count alone while
 *  sync cannot answer. */
function UnsentLine({ report }: { report: DayReport }) {
  const { t, lang } = useI18n();
  const { status, refresh } = useSync();
  useEffect(() => void refresh(), [refresh, report]);
  if (!status) {
    if (report.pending_events === 0) return null;
    return <Alert type="warning" showIcon style={{ marginBottom: 8 }} data-testid="dayend-unsent"
      message={t(report.pending_events === 1 ? "dayend.pending1" : "dayend.pending", { n: report.pending_events })} />;
  }
  const phrases = unsentPhrases(status);
  if (phrases.length === 0) return null;
  return (
    <Alert type="warning" showIcon style={{ marginBottom: 8 }} data-testid="dayend-unsent"
      message={phrases.map((p) => <div key={p.key}>{t(p.key, p.vars)}</div>)}
      description={status.enrolled ? t("sync.unsent.offline") : [t("sync.unsent.notEnrolled"), t("sync.unsent.offline")].join(lang === "zh-CN" ? "" : " ")} />
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
  // A count over 100,000 notes is a typing error at its field, not an over/short (the core refuses it too).
  const tooMany = (fen: number) => (counts[fen] ?? 0) > MAX_COUNT;
  const countProblem = denominations.some((d) => tooMany(d.fen));
  const busy = useRef(false);

  async function close() {
    if (countProblem || busy.current) return;
    busy.current = true;
    try {
      await invoke("desk.close", {
        count: denominations.map((d) => ({ denomination: d.fen, count: counts[d.fen] ?? 0 })),
        approval: overShort !== 0 ? approval : null,
      });
      setError(null);
      props.onClosed();
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    } finally {
      busy.current = false;
    }
  }

  return (
    <Card size="small" title={t("desk.closeTitle", { name: props.desk.session?.clerk_name ?? "" })}>
      <Space align="start" size="large" wrap>
        <Table size="small" pagination={false} rowKey="kind" dataSource={expected?.takings ?? []} title={() => t("desk.expected")} columns={[
          { title: t("pay.tenderKind"), render: (_, r) => label("tender_kinds", r.kind) },
          { title: t("pay.amount"), align: "right", render: (_, r) => yuan(r.amount) },
        ]} footer={() => t("desk.expectedFooter", { cash: yuan(expected?.cash ?? 0), float: yuan(expected?.float ?? 0) })} />
        <Space direction="vertical">
          {denominations.map((d) => (
            <Space key={d.fen}>
              <span style={{ display: "inline-block", width: 56 }}>{d.label}</span>
              <InputNumber aria-label={`${t("desk.countOf")} ${d.label}`} min={0} precision={0} value={counts[d.fen] ?? 0} onChange={(v) => setCounts((c) => ({ ...c, [d.fen]: Number(v ?? 0) }))}
                status={tooMany(d.fen) ? "error" : undefined} />
              {tooMany(d.fen) && <Typography.Text type="danger" data-testid="count-error">{t("desk.countTooLarge")}</Typography.Text>}
            </Space>
          ))}
        </Space>
        <Space direction="vertical">
          <Typography.Text>{t("desk.counted")}: {countProblem ? "—" : `¥${yuan(counted)}`}</Typography.Text>
          <Typography.Text strong type={overShort === 0 ? undefined : "danger"} data-testid="over-short">{t("desk.overShort")}: {countProblem ? "—" : `¥${yuan(overShort)}`}</Typography.Text>
          {overShort !== 0 && !countProblem && <><Typography.Text>{t("desk.needsManager")}</Typography.Text><ApprovalFields value={approval} onChange={setApproval} onSubmit={close} /></>}
          <Button type="primary" onClick={close} disabled={countProblem}>{t("desk.close")}</Button>
          {error && <Alert type="error" message={error} />}
        </Space>
      </Space>
    </Card>
  );
}

/** 重开营业日: for managers (the core also accepts a clerk with a manager's password). */
function ReopenDay(props: { date: string; onDone: (r: DayReport) => void }) {
  const { t, lang } = useI18n();
  const [manager, setManager] = useState(false);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  useEffect(() => {
    invoke("session.whoami", {}).then((s) => setManager(s.user.role === "manager" || s.user.role === "admin"), () => setManager(false));
  }, []);
  if (!manager) return null;
  async function submit() {
    if (busy.current) return;
    busy.current = true;
    try {
      const report = await invoke("dayend.reopen", { date: props.date, reason, approval: null });
      setOpen(false);
      setReason("");
      setError(null);
      props.onDone(report);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    } finally {
      busy.current = false;
    }
  }
  return (
    <>
      <Button danger onClick={() => setOpen(true)} data-testid="reopen-day">{t("dayend.reopen")}</Button>
      <Modal open={open} title={t("dayend.reopenTitle", { date: props.date })} okText={t("dayend.reopen")} cancelText={t("common.cancel")}
        okButtonProps={{ danger: true }} onOk={submit} onCancel={() => setOpen(false)}>
        <Typography.Paragraph>{t("dayend.reopenHint")}</Typography.Paragraph>
        <Input aria-label={t("dayend.reopenReason")} placeholder={t("dayend.reopenReason")} value={reason} onChange={(e) => setReason(e.target.value)}
          onPressEnter={(e) => { if (!e.nativeEvent.isComposing) void submit(); }} autoFocus />
        {error && <Alert style={{ marginTop: 8 }} type="error" message={error} />}
      </Modal>
    </>
  );
}
