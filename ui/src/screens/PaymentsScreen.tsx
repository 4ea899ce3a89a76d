import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Input, type InputRef, Modal, Select, Space, Table, Tabs, Tag, Typography } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { CustomerView } from "../api/generated/CustomerView";
import type { DeskState } from "../api/generated/DeskState";
import type { ManagerApproval } from "../api/generated/ManagerApproval";
import type { Payment } from "../api/generated/Payment";
import type { Quote } from "../api/generated/Quote";
import type { SearchHit } from "../api/generated/SearchHit";
import type { ReasonCode } from "../api/generated/ReasonCode";
import type { TenderKind } from "../api/generated/TenderKind";
import type { Verified } from "../api/generated/Verified";
import { useLabels } from "../catalog";
import { changeDue, parseYuan, yuan } from "../form/money";
import { coreText, useI18n } from "../i18n";
import { outletTime } from "../time";
import { ApprovalFields } from "./ApprovalFields";
import { DeskBar } from "./DeskBar";
import { ReceiptDialog } from "./ReceiptDialog";
import { ReversalDialog } from "./ReversalDialog";

type TenderRow = { kind: TenderKind; amount: string; reference: string };

const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

export function PaymentsScreen() {
  const { t } = useI18n();
  return (
    <Tabs
      items={[
        { key: "collect", label: t("pay.tab.collect"), children: <Collect /> },
        { key: "verify", label: t("pay.tab.verify"), children: <VerifyReceipt /> },
      ]}
    />
  );
}

function Collect() {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const [desk, setDesk] = useState<DeskState | null>(null);
  const [account, setAccount] = useState("");
  const [customer, setCustomer] = useState<CustomerView | null>(null);
  // Several customers matched a name: the clerk picks one (↑↓ and Enter, or a click).
  const [candidates, setCandidates] = useState<{ text: string; hits: SearchHit[]; picked: number } | null>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [amount, setAmount] = useState("");
  const [tenders, setTenders] = useState<TenderRow[]>([{ kind: "cash", amount: "", reference: "" }]);
  const [key, setKey] = useState(newKey);
  const [error, setError] = useState<string | null>(null);
  const [receipt, setReceipt] = useState<string | null>(null);
  const [today, setToday] = useState<Payment[]>([]);
  const [reversing, setReversing] = useState<Payment | null>(null);
  const [waiving, setWaiving] = useState<string | null>(null);
  const [refunding, setRefunding] = useState(false);
  const accountRef = useRef<InputRef>(null);
  const cashRef = useRef<InputRef>(null);

  const fail = (e: unknown) => setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
  const loadDesk = useCallback(() => invoke("desk.current", {}).then(setDesk, () => {}), []);
  useEffect(() => void loadDesk(), [loadDesk]);

  const loadQuote = useCallback(async (view: CustomerView) => {
    const q = await invoke("payment.quote", { customer_id: view.customer.id });
    setQuote(q);
    setAmount(yuan(q.total_due));
    setTenders([{ kind: "cash", amount: "", reference: "" }]);
    const list = await invoke("payment.list", { customer_id: view.customer.id });
    setToday(list.payments);
    setTimeout(() => cashRef.current?.focus(), 0);
  }, []);

  async function open(view: CustomerView) {
    setCandidates(null);
    setCustomer(view);
    setKey(newKey());
    await loadQuote(view);
  }

  const openHit = async (hit: SearchHit) => open(await invoke("customer.get", { id: hit.id }));

  async function find() {
    try {
      setError(null);
      const text = account.trim();
      if (candidates && candidates.text === text) return await openHit(candidates.hits[candidates.picked]);
      if (/^\d{10}$/.test(text)) return await open(await invoke("customer.by_account", { account: text }));
      const page = await invoke("customer.search", { text, offset: 0, limit: 8 });
      if (page.hits.length === 0) return setError(t("search.empty"));
      if (page.hits.length === 1) return await openHit(page.hits[0]);
      setCustomer(null);
      setQuote(null);
      setCandidates({ text, hits: page.hits, picked: 0 });
    } catch (e) {
      fail(e);
    }
  }

  function moveCandidate(e: React.KeyboardEvent<HTMLInputElement>) {
    if (!candidates || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) return;
    e.preventDefault();
    const step = e.key === "ArrowDown" ? 1 : -1;
    setCandidates({ ...candidates, picked: (candidates.picked + step + candidates.hits.length) % candidates.hits.length });
  }

  const amountFen = parseYuan(amount);
  // The first cash row left empty means "exactly the amount" (the common case: Enter pays).
  const parsedTenders = tenders.map((row, i) => ({
    kind: row.kind,
    amount: row.amount.trim() === "" && i === 0 ? (amountFen ?? 0) : parseYuan(row.amount),
    reference: row.reference.trim() === "" ? null : row.reference.trim(),
  }));
  const tenderError = parsedTenders.some((x) => x.amount === null);
  const due = amountFen === null || tenderError ? null : changeDue(amountFen, parsedTenders as Array<{ kind: string; amount: number }>);

  async function pay() {
    if (!customer || amountFen === null || tenderError) return setError(t("money.invalid"));
    try {
      const payment = await invoke("payment.post", {
        customer_id: customer.customer.id,
        amount: amountFen,
        tenders: parsedTenders.map((x) => ({ kind: x.kind, amount: x.amount as number, reference: x.reference })),
        idempotency_key: key,
      });
      setError(null);
      setKey(newKey());
      setReceipt(payment.receipt_no);
      await loadQuote(customer);
      await loadDesk();
    } catch (e) {
      fail(e);
    }
  }

  const setRow = (i: number, patch: Partial<TenderRow>) => setTenders((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <Space direction="vertical" style={{ width: "100%" }} size="middle">
      <DeskBar desk={desk} onChange={setDesk} />
      <Space.Compact style={{ width: 520 }}>
        <Input ref={accountRef} aria-label={t("pay.account")} placeholder={t("pay.account")} value={account} onChange={(e) => setAccount(e.target.value)}
          onPressEnter={(e) => !e.nativeEvent.isComposing && find()} onKeyDown={moveCandidate} autoFocus />
        <Button onClick={find}>{t("pay.find")}</Button>
      </Space.Compact>
      {candidates && (
        <Card size="small" title={t("pay.pick")}>
          <table className="results" data-testid="pay-candidates">
            <tbody>
              {candidates.hits.map((hit, i) => (
                <tr key={hit.id} className={i === candidates.picked ? "row-active" : undefined} aria-selected={i === candidates.picked}
                  onClick={() => openHit(hit).catch(fail)}>
                  <td>{hit.account}</td>
                  <td>{hit.name}</td>
                  <td>{hit.phone}</td>
                  <td>{hit.address}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {error && <Alert type="error" showIcon message={error} data-testid="pay-error" />}
      {customer && quote && (
        <Card size="small" title={`${customer.customer.account} · ${customer.customer.name} · ${label("customer_classes", customer.customer.class)}`}>
          <Table size="small" pagination={false} rowKey={(q) => q.bill.id} dataSource={quote.bills} locale={{ emptyText: t("pay.noBills") }} columns={[
            { title: t("bill.period"), render: (_, q) => q.bill.period },
            { title: "kWh", align: "right", render: (_, q) => q.bill.kwh },
            { title: t("bill.outstanding"), align: "right", render: (_, q) => yuan(q.bill.outstanding) },
            { title: t("bill.due"), render: (_, q) => q.bill.due_date },
            { title: t("bill.lateDays"), align: "right", render: (_, q) => q.late_days },
            { title: t("bill.lateFee"), align: "right", render: (_, q) => yuan(q.late_fee) },
            { title: t("bill.dueNow"), align: "right", render: (_, q) => yuan(q.due_now) },
            { title: "", render: (_, q) => (q.late_fee > 0 ? <Button size="small" onClick={() => setWaiving(q.bill.id)}>{t("waive.button")}</Button> : null) },
          ]} />
          <Space style={{ marginTop: 8 }} size="large">
            <Typography.Text>{t("pay.prepaid")}: ¥{yuan(quote.prepaid)}</Typography.Text>
            {quote.prepaid > 0 && <Button size="small" onClick={() => setRefunding(true)}>{t("refund.button")}</Button>}
            <Typography.Text strong data-testid="total-due">{t("pay.totalDue")}: ¥{yuan(quote.total_due)}</Typography.Text>
          </Space>
          <Space direction="vertical" style={{ width: "100%", marginTop: 12 }}>
            <Space>
              <Typography.Text>{t("pay.amount")}</Typography.Text>
              <Input aria-label={t("pay.amount")} value={amount} onChange={(e) => setAmount(e.target.value)} suffix="元" style={{ width: 160 }} onPressEnter={pay} />
            </Space>
            {tenders.map((row, i) => (
              <Space key={i}>
                <Select aria-label={`${t("pay.tenderKind")} ${i + 1}`} style={{ width: 200 }} value={row.kind} onChange={(kind) => setRow(i, { kind })} options={options("tender_kinds")} />
                <Input ref={i === 0 ? cashRef : undefined} aria-label={`${t("pay.tendered")} ${i + 1}`} placeholder={i === 0 ? t("pay.exact") : ""} value={row.amount}
                  onChange={(e) => setRow(i, { amount: e.target.value })} suffix="元" style={{ width: 160 }} onPressEnter={pay} />
                {row.kind !== "cash" && (
                  <Input aria-label={`${t("pay.reference")} ${i + 1}`} placeholder={t(`pay.reference.${row.kind}` as "pay.reference.card")} value={row.reference}
                    onChange={(e) => setRow(i, { reference: e.target.value })} style={{ width: 260 }} onPressEnter={pay} />
                )}
                {i > 0 && <Button icon={<DeleteOutlined />} aria-label={t("pay.removeTender")} onClick={() => setTenders((rows) => rows.filter((_, j) => j !== i))} />}
              </Space>
            ))}
            <Button icon={<PlusOutlined />} onClick={() => setTenders((rows) => [...rows, { kind: "card", amount: "", reference: "" }])}>{t("pay.addTender")}</Button>
            <Space size="large">
              <Typography.Text>{t("pay.tenderedTotal")}: ¥{due ? yuan(due.total) : "—"}</Typography.Text>
              <Typography.Text strong data-testid="change" type={due && !due.possible ? "danger" : undefined}>
                {t("pay.change")}: {due ? (due.possible ? `¥${yuan(due.change)}` : t("pay.noChange")) : "—"}
              </Typography.Text>
              <Button type="primary" size="large" onClick={pay} disabled={!desk?.session}>{t("pay.submit")}</Button>
            </Space>
          </Space>
        </Card>
      )}
      {customer && today.length > 0 && (
        <Card size="small" title={t("pay.history")}>
          <PaymentTable payments={today} onReverse={setReversing} onReceipt={setReceipt} />
        </Card>
      )}
      <ReceiptDialog receiptNo={receipt} onClose={() => { setReceipt(null); accountRef.current?.focus(); }} />
      <ReversalDialog payment={reversing} onClose={() => setReversing(null)} onDone={async () => { setReversing(null); if (customer) await loadQuote(customer); await loadDesk(); }} />
      {customer && quote && (
        <RefundDialog open={refunding} customerId={customer.customer.id} max={quote.prepaid} onClose={() => setRefunding(false)}
          onDone={async (p) => { setRefunding(false); setReceipt(p.receipt_no); await loadQuote(customer); await loadDesk(); }} />
      )}
      <WaiveDialog billId={waiving} onClose={() => setWaiving(null)} onDone={async () => { setWaiving(null); if (customer) await loadQuote(customer); }} />
    </Space>
  );
}

/** A customer's payments with their state, the receipt and the reversal. */
export function PaymentTable(props: { payments: Payment[]; onReverse?: (p: Payment) => void; onReceipt?: (no: string) => void }) {
  const { t } = useI18n();
  const { label } = useLabels();
  return (
    <Table size="small" rowKey="receipt_no" pagination={{ pageSize: 10 }} dataSource={props.payments} columns={[
      { title: t("receipt.no"), dataIndex: "receipt_no" },
      { title: t("receipt.at"), render: (_, p) => outletTime(p.posted_at) },
      { title: t("pay.kind"), render: (_, p) => label("payment_kinds", p.kind) },
      { title: t("pay.amount"), align: "right", render: (_, p) => yuan(p.amount) },
      { title: t("bill.lateFee"), align: "right", render: (_, p) => yuan(p.late_fees) },
      { title: t("pay.prepaidAfter"), align: "right", render: (_, p) => yuan(p.prepaid_after) },
      { title: t("col.status"), render: (_, p) => <Tag color={p.status === "posted" ? "green" : "red"}>{label("payment_statuses", p.status)}</Tag> },
      { title: "", render: (_, p) => (
        <Space>
          {props.onReceipt && <Button size="small" onClick={() => props.onReceipt?.(p.receipt_no)}>{t("receipt.title")}</Button>}
          {props.onReverse && p.kind === "payment" && p.status === "posted" && <Button size="small" danger onClick={() => props.onReverse?.(p)}>{t("reverse.button")}</Button>}
        </Space>
      ) },
    ]} />
  );
}

function RefundDialog(props: { open: boolean; customerId: string; max: number; onClose: () => void; onDone: (p: Payment) => void }) {
  const { t, lang } = useI18n();
  const { options } = useLabels();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState<ReasonCode>("customer_request");
  const [approval, setApproval] = useState<ManagerApproval>({ username: "", password: "" });
  const [error, setError] = useState<string | null>(null);
  async function submit() {
    const fen = parseYuan(amount);
    if (fen === null) return setError(t("money.invalid"));
    try {
      const p = await invoke("prepayment.refund", { refund: { customer_id: props.customerId, amount: fen, tender: "cash", reference: null, reason, note: "" }, approval });
      setError(null);
      props.onDone(p);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }
  return (
    <Modal open={props.open} title={t("refund.title", { max: yuan(props.max) })} onOk={submit} onCancel={props.onClose}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Input aria-label={t("refund.amount")} placeholder={t("refund.amount")} value={amount} onChange={(e) => setAmount(e.target.value)} suffix="元" />
        <Select aria-label={t("reverse.reason")} value={reason} onChange={setReason} options={options("reason_codes")} style={{ width: "100%" }} />
        <ApprovalFields value={approval} onChange={setApproval} />
        {error && <Alert type="error" message={error} />}
      </Space>
    </Modal>
  );
}

function WaiveDialog(props: { billId: string | null; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const [reason, setReason] = useState("");
  const [approval, setApproval] = useState<ManagerApproval>({ username: "", password: "" });
  const [error, setError] = useState<string | null>(null);
  async function submit() {
    if (!props.billId) return;
    try {
      await invoke("late_fee.waive", { bill_id: props.billId, reason, approval });
      setError(null);
      props.onDone();
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }
  return (
    <Modal open={!!props.billId} title={t("waive.title")} onOk={submit} onCancel={props.onClose}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Input aria-label={t("waive.reason")} placeholder={t("waive.reason")} value={reason} onChange={(e) => setReason(e.target.value)} />
        <ApprovalFields value={approval} onChange={setApproval} />
        {error && <Alert type="error" message={error} />}
      </Space>
    </Modal>
  );
}

function VerifyReceipt() {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [code, setCode] = useState("");
  const [result, setResult] = useState<Verified | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function verify() {
    try {
      setResult(await invoke("receipt.verify", { code }));
      setError(null);
    } catch (e) {
      setResult(null);
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }
  return (
    <Space direction="vertical" style={{ width: 640 }}>
      <Typography.Paragraph>{t("verify.hint")}</Typography.Paragraph>
      <Input.TextArea aria-label={t("verify.code")} rows={3} value={code} onChange={(e) => setCode(e.target.value)} onPressEnter={(e) => { e.preventDefault(); void verify(); }} />
      <Button type="primary" onClick={verify}>{t("verify.submit")}</Button>
      {result && (
        <Alert type="success" showIcon data-testid="verify-result" message={t("verify.valid")} description={
          `${result.fields.receipt_no} · ${result.fields.account} · ¥${yuan(result.fields.amount)} · ${result.fields.posted_at}` +
          (result.status ? ` · ${label("payment_statuses", result.status)}` : ` · ${t("verify.notLocal")}`)
        } />
      )}
      {error && <Alert type="error" showIcon data-testid="verify-result" message={t("verify.invalid")} description={error} />}
    </Space>
  );
}
