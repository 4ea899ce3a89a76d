import { Table, Tag } from "antd";
import { useEffect, useState } from "react";
import { invoke } from "../api/invoke";
import type { Bill } from "../api/generated/Bill";
import type { Payment } from "../api/generated/Payment";
import { yuan } from "../form/money";
import { useI18n } from "../i18n";
import { PaymentTable } from "./PaymentsScreen";
import { ReceiptDialog } from "./ReceiptDialog";

/** The customer's bills on the profile, newest first. */
export function BillsTab({ customerId }: { customerId: string }) {
  const { t } = useI18n();
  const [bills, setBills] = useState<Bill[]>([]);
  useEffect(() => void invoke("bill.list", { customer_id: customerId }).then((l) => setBills(l.bills), () => {}), [customerId]);
  return (
    <Table size="small" rowKey="id" dataSource={bills} pagination={{ pageSize: 12 }} data-testid="bills" columns={[
      { title: t("bill.period"), dataIndex: "period" },
      { title: t("bill.kwh"), dataIndex: "kwh", align: "right" },
      { title: t("bill.amount"), align: "right", render: (_, b) => yuan(b.amount) },
      { title: t("bill.paid"), align: "right", render: (_, b) => yuan(b.paid) },
      { title: t("bill.outstanding"), align: "right", render: (_, b) => (b.outstanding > 0 ? <Tag color="red">{yuan(b.outstanding)}</Tag> : "0.00") },
      { title: t("bill.due"), dataIndex: "due_date" },
      { title: t("bill.tariff"), dataIndex: "tariff_code" },
    ]} />
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
