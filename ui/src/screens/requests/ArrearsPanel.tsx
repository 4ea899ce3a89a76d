import { PrinterOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Descriptions, Drawer, Input, Modal, Popconfirm, Progress, Radio, Select, Space, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { invoke } from "../../api/invoke";
import type { AgingReport } from "../../api/generated/AgingReport";
import type { ArrearsCustomer } from "../../api/generated/ArrearsCustomer";
import type { ArrearsStatus } from "../../api/generated/ArrearsStatus";
import type { CustomerClass } from "../../api/generated/CustomerClass";
import type { Delivery } from "../../api/generated/Delivery";
import type { NoticeKind } from "../../api/generated/NoticeKind";
import type { PrintedNotices } from "../../api/generated/PrintedNotices";
import type { ReconnectionList } from "../../api/generated/ReconnectionList";
import { useLabels } from "../../catalog";
import { yuan } from "../../form/money";
import { coreText, useI18n } from "../../i18n";
import { useCan } from "../../session";
import { outletTime } from "../../time";
import { PdfFirstPage } from "../applications/Attachments";
import { errorText } from "../applications/common";
import { openPdf, savePdf } from "../pdf";

/** `YYYY-MM-DD` plus `days`. */
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * 欠费: the aging at the top, the reconnections due, and the customers in arrears with filters;
 * notices printed for the ones ticked (one PDF, a progress bar while it is made), and one
 * customer's notices and disconnections in a drawer, with the disconnection and the
 * reconnection actions.
 */
export function ArrearsPanel() {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const [aging, setAging] = useState<AgingReport | null>(null);
  const [reconnections, setReconnections] = useState<ReconnectionList | null>(null);
  const [rows, setRows] = useState<ArrearsCustomer[]>([]);
  const [klass, setKlass] = useState<CustomerClass | null>(null);
  const [area, setArea] = useState("");
  const [minDays, setMinDays] = useState(1);
  const [selected, setSelected] = useState<string[]>([]);
  const [printing, setPrinting] = useState<NoticeKind | null>(null);
  const [open, setOpen] = useState<ArrearsCustomer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const [areaFilter, setAreaFilter] = useState("");
  const ticket = useRef(0);

  // The aging and the reconnections due: on opening and on Refresh only (the aging reads every
  // open bill).
  const loadSummary = useCallback(async () => {
    try {
      const [a, r] = await Promise.all([invoke("arrears.aging", {}), invoke("arrears.reconnections", {})]);
      setAging(a);
      setReconnections(r);
    } catch (e) {
      setError(errorText(lang, e));
    }
  }, [lang]);
  // The list, as the filters change (the area once typed: Enter or leaving the box); an answer
  // overtaken by a later request is dropped.
  const load = useCallback(async () => {
    const mine = ++ticket.current;
    setLoading(true);
    try {
      const list = await invoke("arrears.list", { class: klass, area: areaFilter.trim() || null, min_days: minDays, limit: 500 });
      if (mine !== ticket.current) return;
      setRows(list.rows);
      setSelected([]);
      setError(null);
    } catch (e) {
      if (mine === ticket.current) setError(errorText(lang, e));
    } finally {
      if (mine === ticket.current) setLoading(false);
    }
  }, [klass, areaFilter, minDays, lang]);
  // both set state only after their awaits.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void loadSummary(), [loadSummary]);
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void load(), [load]);
  const refresh = () => { void loadSummary(); void load(); };

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="arrears">
      {error && <Alert type="error" showIcon message={error} />}
      {aging && (
        <Card size="small" title={t("arrears.aging", { on: aging.on })} data-testid="aging">
          <Space size="large" wrap>
            {aging.totals.map((b) => (
              <span key={b.bucket} data-testid={`aging-${b.bucket}`}>
                <Typography.Text type="secondary">{label("aging_buckets", b.bucket)}</Typography.Text>{" "}
                <b className="mono">{yuan(b.principal)}</b> {t("arrears.plusFees", { fees: yuan(b.late_fee) })} · {t("arrears.bills", { n: b.bills })}
              </span>
            ))}
          </Space>
        </Card>
      )}
      {reconnections && reconnections.rows.length > 0 && (
        <Alert type={reconnections.overdue > 0 ? "error" : "warning"} showIcon data-testid="reconnections-due"
          message={t("arrears.reconnectionsDue", { n: reconnections.rows.length, overdue: reconnections.overdue })}
          description={reconnections.rows.map((d) => (
            <div key={d.id}>
              <span className="mono">{d.account}</span> {d.customer_name} · {t("arrears.reconnectBy", { at: d.reconnect_due ? outletTime(d.reconnect_due) : "—" })}
            </div>
          ))} />
      )}
      <Space wrap>
        <Select allowClear placeholder={t("arrears.class")} value={klass} onChange={(v) => setKlass(v ?? null)} options={options("customer_classes")} style={{ width: 190 }} data-testid="arrears-class" />
        <Input allowClear placeholder={t("arrears.area")} value={area} onChange={(e) => { setArea(e.target.value); if (!e.target.value) setAreaFilter(""); }}
          onPressEnter={() => setAreaFilter(area)} onBlur={() => setAreaFilter(area)} style={{ width: 200 }} data-testid="arrears-area" />
        <Radio.Group value={minDays} onChange={(e) => setMinDays(e.target.value)} optionType="button" data-testid="arrears-days" options={[
          { value: 1, label: t("arrears.days.all") },
          { value: 31, label: t("arrears.days.over30") },
          { value: 61, label: t("arrears.days.over60") },
          { value: 91, label: t("arrears.days.over90") },
        ]} />
        <Button icon={<ReloadOutlined />} onClick={refresh} aria-label={t("dayend.refresh")} />
      </Space>
      <Space wrap>
        <Button icon={<PrinterOutlined />} disabled={selected.length === 0} onClick={() => setPrinting("payment")} data-testid="print-payment-notices">
          {t("arrears.printPayment", { n: selected.length })}
        </Button>
        <Button icon={<PrinterOutlined />} disabled={selected.length === 0} onClick={() => setPrinting("disconnection")} data-testid="print-disconnection-notices">
          {t("arrears.printDisconnection", { n: selected.length })}
        </Button>
      </Space>
      <Table<ArrearsCustomer> size="small" rowKey="customer_id" loading={loading} dataSource={rows} data-testid="arrears-list"
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={{ emptyText: t("arrears.empty") }}
        onRow={(r) => ({ onDoubleClick: () => setOpen(r), onKeyDown: (e) => e.key === "Enter" && setOpen(r), tabIndex: 0 })}
        columns={[
          { title: t("col.account"), dataIndex: "account", render: (v: string, r) => <a className="mono" onClick={() => setOpen(r)} data-testid="arrears-open">{v}</a> },
          { title: t("col.name"), dataIndex: "name" },
          { title: t("arrears.class"), render: (_, r) => label("customer_classes", r.class) },
          { title: t("arrears.area"), dataIndex: "area" },
          { title: t("arrears.overdue"), align: "right", render: (_, r) => <span className="mono">{yuan(r.overdue)}</span> },
          { title: t("arrears.oldestDays"), align: "right", dataIndex: "oldest_days" },
          { title: "", render: (_, r) => r.disconnected && <Tag color="red">{t("arrears.disconnected")}</Tag> },
        ]} />
      <NoticeDialog kind={printing} today={aging?.on ?? null} customers={rows.filter((r) => selected.includes(r.customer_id))} onClose={() => { setPrinting(null); void load(); }} />
      <CustomerArrears customer={open} onClose={() => { setOpen(null); refresh(); }} />
    </Space>
  );
}

/** Prints notices for the customers ticked: one PDF; a bar while it is made; the refused listed. */
function NoticeDialog(props: { kind: NoticeKind | null; today: string | null; customers: ArrearsCustomer[]; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const [delivery, setDelivery] = useState<Delivery>("in_person");
  // The outlet's date is the core's (its clock), not this PC's; seven days is every class's minimum.
  const [plannedInput, setPlanned] = useState<string | null>(null);
  const planned = plannedInput ?? (props.today ? addDays(props.today, 7) : "");
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<PrintedNotices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sending = useRef(false);
  const { kind } = props;

  async function print() {
    if (!kind || sending.current) return;
    sending.current = true;
    setError(null);
    const key = crypto.randomUUID().replace(/-/g, "");
    setProgress({ done: 0, total: props.customers.length + 1 });
    const timer = window.setInterval(() => {
      invoke("import.progress", { key }).then((p) => p.total > 0 && setProgress({ done: p.done, total: p.total }), () => {});
    }, 150);
    try {
      const printed = await invoke("arrears.print", {
        notices: props.customers.map((c) => ({ customer_id: c.customer_id, kind, delivery, planned_date: kind === "disconnection" ? planned : null })),
        progress: key,
      });
      setResult(printed);
    } catch (e) {
      setError(errorText(lang, e));
    } finally {
      window.clearInterval(timer);
      setProgress(null);
      sending.current = false;
    }
  }

  const close = () => { setResult(null); setError(null); setPlanned(null); props.onClose(); };
  const fail = (e: unknown) => setError(errorText(lang, e));
  return (
    <Modal open={!!kind} title={kind ? label("notice_kinds", kind) : ""} onCancel={close} width={700} destroyOnHidden
      footer={result ? (
        <Space>
          {result.pdf && <Button type="primary" autoFocus onClick={() => result.pdf && openPdf(result.pdf).catch(fail)} data-testid="notices-open">{t("slip.print")}</Button>}
          {result.pdf && <Button onClick={() => result.pdf && savePdf(result.pdf).catch(fail)} data-testid="notices-save">{t("receipt.save")}</Button>}
          <Button onClick={close}>{t("common.close")}</Button>
        </Space>
      ) : (
        <Space>
          <Button type="primary" autoFocus loading={!!progress} onClick={() => void print()} data-testid="notices-print">{t("arrears.print", { n: props.customers.length })}</Button>
          <Button onClick={close}>{t("common.cancel")}</Button>
        </Space>
      )}>
      {!result && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Space>
            {t("arrears.delivery")}
            <Radio.Group value={delivery} onChange={(e) => setDelivery(e.target.value)} optionType="button" options={options("deliveries")} data-testid="notices-delivery" />
          </Space>
          {kind === "disconnection" && (
            <Space>
              {t("arrears.plannedDate")}
              <Input type="date" value={planned} onChange={(e) => setPlanned(e.target.value)} style={{ width: 170 }} data-testid="notices-planned" />
              <Typography.Text type="secondary">{t("arrears.plannedHint")}</Typography.Text>
            </Space>
          )}
          {progress && <Progress percent={Math.round((100 * progress.done) / Math.max(progress.total, 1))} data-testid="notices-progress" />}
        </Space>
      )}
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 12 }} data-testid="notices-error" />}
      {result && (
        <Space direction="vertical" style={{ width: "100%" }} data-testid="notices-result">
          <Typography.Text>{t("arrears.printed", { n: result.printed.length })}</Typography.Text>
          {result.refused.length > 0 && (
            <Alert type="warning" showIcon data-testid="notices-refused" message={t("arrears.refused", { n: result.refused.length })}
              description={result.refused.map((r) => {
                const c = props.customers.find((x) => x.customer_id === r.customer_id);
                return <div key={r.customer_id}><span className="mono">{c?.account}</span> {c?.name}：{coreText(lang, r.message)}</div>;
              })} />
          )}
          {result.pdf && <PdfFirstPage base64={result.pdf.base64} width={520} testId="notice-page" />}
        </Space>
      )}
    </Modal>
  );
}

/** One customer's arrears: what is owed, the notices, the disconnections, and the actions. */
function CustomerArrears(props: { customer: ArrearsCustomer | null; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const can = useCan();
  const [status, setStatus] = useState<ArrearsStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = props.customer?.customer_id;

  const load = useCallback(async () => {
    if (!id) return;
    try {
      setStatus(await invoke("arrears.status", { id }));
    } catch (e) {
      setError(errorText(lang, e));
    }
  }, [id, lang]);
  // load sets state only after its await.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void load(), [load]);

  async function run(action: () => Promise<unknown>) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
      await load();
    } catch (e) {
      setError(errorText(lang, e));
    } finally {
      setBusy(false);
    }
  }

  const c = props.customer;
  const open = status?.disconnections.find((d) => !d.reconnected_at) ?? null;
  return (
    <Drawer open={!!c} width={640} onClose={() => { setStatus(null); setError(null); props.onClose(); }} destroyOnHidden
      title={c ? `${c.account} ${c.name}` : ""} data-testid="customer-arrears">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="arrears-error" />}
      {status && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label={t("arrears.overdue")}><span className="mono" data-testid="arrears-overdue">{yuan(status.overdue)}</span></Descriptions.Item>
            <Descriptions.Item label={t("arrears.oldestDays")}>{status.oldest_days}</Descriptions.Item>
            <Descriptions.Item label={t("arrears.supply")} span={2}>
              {status.disconnected ? <Tag color="red" data-testid="supply-state">{t("arrears.disconnected")}</Tag> : <Tag color="green" data-testid="supply-state">{t("arrears.connected")}</Tag>}
            </Descriptions.Item>
          </Descriptions>
          <Space>
            {can("arrears.disconnect") && !status.disconnected && (
              <Popconfirm title={t("arrears.confirmDisconnect")} okText={t("apps.confirm")} cancelText={t("common.cancel")} okButtonProps={{ danger: true, ...({ "data-testid": "disconnect-confirm" } as Record<`data-${string}`, string>) }}
                onConfirm={() => void run(() => invoke("arrears.disconnect", { id: status.customer_id }))}>
                <Button danger loading={busy} data-testid="disconnect">{t("arrears.disconnect")}</Button>
              </Popconfirm>
            )}
            {open?.reconnect_due && can("arrears.reconnected") && (
              <Popconfirm title={t("arrears.confirmReconnected")} okText={t("apps.confirm")} cancelText={t("common.cancel")} okButtonProps={{ ...({ "data-testid": "reconnected-confirm" } as Record<`data-${string}`, string>) }}
                onConfirm={() => void run(() => invoke("arrears.reconnected", { id: open.id }))}>
                <Button type="primary" loading={busy} data-testid="reconnected">{t("arrears.markReconnected")}</Button>
              </Popconfirm>
            )}
          </Space>
          {open?.reconnect_due && (
            <Alert type="warning" showIcon data-testid="reconnect-due" message={t("arrears.reconnectDue", { at: outletTime(open.reconnect_due), receipt: open.paid_receipt ?? "" })} />
          )}
          <Typography.Title level={5}>{t("arrears.notices")}</Typography.Title>
          <Table size="small" rowKey="id" pagination={false} dataSource={status.notices} data-testid="notice-history" locale={{ emptyText: t("arrears.noNotices") }}
            columns={[
              { title: t("arrears.noticeKind"), render: (_, n) => label("notice_kinds", n.kind) },
              { title: t("arrears.delivery"), render: (_, n) => label("deliveries", n.delivery) },
              { title: t("arrears.owedThen"), align: "right", render: (_, n) => <span className="mono">{yuan(n.owed)}</span> },
              { title: t("arrears.plannedDate"), render: (_, n) => n.planned_date ?? "—" },
              { title: t("arrears.printedAt"), render: (_, n) => `${outletTime(n.printed_at)} · ${n.printed_by_name}` },
            ]} />
          <Typography.Title level={5}>{t("arrears.disconnections")}</Typography.Title>
          <Table size="small" rowKey="id" pagination={false} dataSource={status.disconnections} data-testid="disconnection-history" locale={{ emptyText: "—" }}
            columns={[
              { title: t("arrears.orderedAt"), render: (_, d) => `${outletTime(d.ordered_at)} · ${d.ordered_by_name}` },
              { title: t("arrears.owedThen"), align: "right", render: (_, d) => <span className="mono">{yuan(d.owed)}</span> },
              { title: t("arrears.paidAt"), render: (_, d) => (d.paid_at ? outletTime(d.paid_at) : "—") },
              { title: t("arrears.reconnectedAt"), render: (_, d) => (d.reconnected_at ? outletTime(d.reconnected_at) : "—") },
            ]} />
          <Typography.Text type="secondary">{t("arrears.earliest", { date: status.earliest_planned_date })}</Typography.Text>
        </Space>
      )}
    </Drawer>
  );
}
