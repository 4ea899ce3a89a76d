import { Alert, Button, Input, InputNumber, Space, Table, Tag } from "antd";
import { useCallback, useEffect, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { Bill } from "../api/generated/Bill";
import type { Payment } from "../api/generated/Payment";
import { yuan } from "../form/money";
import { coreText, useI18n } from "../i18n";
import { PaymentTable } from "./PaymentsScreen";
import { ReceiptDialog } from "./ReceiptDialog";

/** The customer's bills on the profile, newest first. */
export function BillsTab({ customerId, meters }: { customerId: string; meters: string[] }) {
  const { t } = useI18n();
  const [bills, setBills] = useState<Bill[]>([]);
  const load = useCallback(() => invoke("bill.list", { customer_id: customerId }).then((l) => setBills(l.bills), () => {}), [customerId]);
  useEffect(() => void load(), [load]);
  return (
    <>
    <ReadingForm customerId={customerId} meters={meters} onBill={load} />
    <Table size="small" rowKey="id" dataSource={bills} pagination={{ pageSize: 12 }} data-testid="bills" columns={[
      { title: t("bill.period"), dataIndex: "period" },
      { title: t("bill.kwh"), dataIndex: "kwh", align: "right" },
      { title: t("bill.amount"), align: "right", render: (_, b) => yuan(b.amount) },
      { title: t("bill.paid"), align: "right", render: (_, b) => yuan(b.paid) },
      { title: t("bill.outstanding"), align: "right", render: (_, b) => (b.outstanding > 0 ? <Tag color="red">{yuan(b.outstanding)}</Tag> : "0.00") },
      { title: t("bill.due"), dataIndex: "due_date" },
      { title: t("bill.tariff"), dataIndex: "tariff_code" },
    ]} />
    </>
  );
}

/** Meter reading entry at the counter (rural outlets): the registers' current values make a bill. */
function ReadingForm({ customerId, meters, onBill }: { customerId: string; meters: string[]; onBill: () => void }) {
  const { t, lang } = useI18n();
  const [period, setPeriod] = useState("");
  const [total, setTotal] = useState<number | null>(null);
  const [peak, setPeak] = useState<number | null>(null);
  const [valley, setValley] = useState<number | null>(null);
  const [reactive, setReactive] = useState<number | null>(null);
  const [message, setMessage] = useState<{ type: "success" | "error"; text: string } | null>(null);
  async function submit() {
    try {
      const bill = await invoke("reading.enter", {
        customer_id: customerId, meter_number: meters[0] ?? "", period, previous_total: null, total: total ?? -1,
        peak, valley, reactive, max_demand_kw: null, basic_by: null, basic_segments: [],
      });
      setMessage({ type: "success", text: t("reading.done", { period: bill.period, kwh: bill.kwh, amount: yuan(bill.amount) }) });
      onBill();
    } catch (e) {
      setMessage({ type: "error", text: e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e) });
    }
  }
  return (
    <Space direction="vertical" style={{ marginBottom: 12 }}>
      <Space wrap>
        <span>{t("reading.title")} {meters[0]}</span>
        <Input aria-label={t("bill.period")} placeholder="2026-11" value={period} onChange={(e) => setPeriod(e.target.value)} style={{ width: 100 }} />
        <InputNumber aria-label={t("reading.total")} placeholder={t("reading.total")} value={total} onChange={setTotal} min={0} precision={0} style={{ width: 120 }} />
        <InputNumber aria-label={t("reading.peak")} placeholder={t("reading.peak")} value={peak} onChange={setPeak} min={0} precision={0} style={{ width: 110 }} />
        <InputNumber aria-label={t("reading.valley")} placeholder={t("reading.valley")} value={valley} onChange={setValley} min={0} precision={0} style={{ width: 110 }} />
        <InputNumber aria-label={t("reading.reactive")} placeholder={t("reading.reactive")} value={reactive} onChange={setReactive} min={0} precision={0} style={{ width: 120 }} />
        <Button onClick={submit}>{t("reading.submit")}</Button>
      </Space>
      {message && <Alert type={message.type} message={message.text} />}
    </Space>
  );
}

/** The customer's payments on the profile, with their receipts. */
export function PaymentsTab({ customerId }: { customerId: string }) {
  const [payments, setPayments] = useState<Payment[]>([]);
  const [receipt, setReceipt] = useState<string | null>(null);
  useEffect(() => void invoke("payment.list", { customer_id: customerId }).then((l) => setPayments(l.payments), () => {}), [customerId]);
  return (
    <>
      <PaymentTable payments={payments} onReceipt={setReceipt} />
      <ReceiptDialog receiptNo={receipt} onClose={() => setReceipt(null)} />
    </>
  );
}
