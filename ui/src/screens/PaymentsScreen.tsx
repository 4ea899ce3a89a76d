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
import { changeDue, parseYuan, yuan, yuanProblem } from "../form/money";
import { coreText, useI18n } from "../i18n";
import { outletTime } from "../time";
import { ApprovalFields } from "./ApprovalFields";
import { DeskBar } from "./DeskBar";
import { ReceiptDialog } from "./ReceiptDialog";
import { ReversalDialog } from "./ReversalDialog";

type TenderRow = { kind: TenderKind; amount: string; reference: string };

const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

/** 坐收 and 凭证验证. `active` is false while the shell shows another section: the screen stays
 *  mounted so that a collection in progress survives, and reloads the desk when shown again. */
export function PaymentsScreen(props: { active?: boolean }) {
  const { t } = useI18n();
  return (
    <Tabs
      items={[
        { key: "collect", label: t("pay.tab.collect"), children: <Collect active={props.active ?? true} /> },
        { key: "verify", label: t("pay.tab.verify"), children: <VerifyReceipt /> },
      ]}
    />
  );
}

function Collect(props: { active: boolean }) {
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
  // The core asked the clerk to confirm a cash tender far above the amount: its message.
  const [confirming, setConfirming] = useState<string | null>(null);
  const posting = useRef(false);
  const accountRef = useRef<InputRef>(null);
  const cashRef = useRef<InputRef>(null);

  const fail = (e: unknown) => setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
  const loadDesk = useCallback(() => invoke("desk.current", {}).then(setDesk, () => {}), []);
  // Shown again after another section: the desk may have been closed (轧账) or the day closed meanwhile.
  useEffect(() => {
    if (props.active) void loadDesk();
  }, [loadDesk, props.active]);

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
    // The last customer's bills and tenders go at once: nothing typed while the new quote loads
    // may land on them, or be wiped when it arrives.
    setQuote(null);
    setToday([]);
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
  // The first amount that is not one, and why (too large, or not an amount).
  const moneyProblem = [amount, ...tenders.filter((row, i) => !(i === 0 && row.amount.trim() === "")).map((row) => row.amount)]
    .map(yuanProblem).find((p) => p !== null) ?? null;

  async function pay(confirmedLargeCash = false) {
    if (!customer || amountFen === null || tenderError) return setError(t(moneyProblem ?? "money.invalid"));
    if (posting.current) return;
    posting.current = true;
    try {
      const payment = await invoke("payment.post", {
        customer_id: customer.customer.id,
        amount: amountFen,
        tenders: parsedTenders.map((x) => ({ kind: x.kind, amount: x.amount as number, reference: x.reference })),
        idempotency_key: key,
        confirmed_large_cash: confirmedLargeCash,
      });
      setError(null);
      setConfirming(null);
      setKey(newKey());
      setReceipt(payment.receipt_no);
      await loadQuote(customer);
      await loadDesk();
    } catch (e) {
      if (e instanceof CommandError && e.error.messages[0]?.code === "payment.confirm_large_cash") {
        setError(null);
        setConfirming(coreText(lang, e.error.messages[0]));
      } else {
        setConfirming(null);
        fail(e);
      }
    } finally {
      posting.current = false;
    }
  }

  /** Esc: the screen as it was before the scan, ready for the next customer. */
  function clear() {
    setAccount("");
    setCandidates(null);
    setCustomer(null);
    setQuote(null);
    setAmount("");
    setTenders([{ kind: "cash", amount: "", reference: "" }]);
    setToday([]);
    setError(null);
    setKey(newKey());
    accountRef.current?.focus();
  }

  function onKeyDown(e: React.KeyboardEvent) {
    // Esc inside a dialog or an open drop-down closes that, not the collection.
    const target = e.target as HTMLElement;
    if (e.key !== "Escape" || target.closest(".ant-modal, .ant-select-open, .ant-select-dropdown")) return;
    e.preventDefault();
    clear();
  }

  const changeText = !due ? "—"
    : due.possible ? `¥${yuan(due.change)}`
    : due.short > 0 ? t("pay.short", { amount: yuan(due.short) })
    : t("pay.noChange", { amount: yuan(due.nonCashOver) });

  const setRow = (i: number, patch: Partial<TenderRow>) => setTenders((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <div onKeyDown={onKeyDown}>
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
              <Input aria-label={t("pay.amount")} value={amount} onChange={(e) => setAmount(e.target.value)} suffix={t("money.unit")} style={{ width: 160 }} onPressEnter={() => pay()} />
            </Space>
            {tenders.map((row, i) => (
              <Space key={i}>
                <Select aria-label={`${t("pay.tenderKind")} ${i + 1}`} style={{ width: 200 }} value={row.kind} onChange={(kind) => setRow(i, { kind })} options={options("tender_kinds")} />
                <Input ref={i === 0 ? cashRef : undefined} aria-label={`${t("pay.tendered")} ${i + 1}`} placeholder={i === 0 ? t("pay.exact") : ""} value={row.amount}
                  onChange={(e) => setRow(i, { amount: e.target.value })} suffix={t("money.unit")} style={{ width: 160 }} onPressEnter={() => pay()} />
                {row.kind !== "cash" && (
                  <Input aria-label={`${t("pay.reference")} ${i + 1}`} placeholder={t(`pay.reference.${row.kind}` as "pay.reference.card")} value={row.reference}
                    onChange={(e) => setRow(i, { reference: e.target.value })} style={{ width: 260 }} onPressEnter={() => pay()} />
                )}
                {i > 0 && <Button icon={<DeleteOutlined />} aria-label={t("pay.removeTender")} onClick={() => setTenders((rows) => rows.filter((_, j) => j !== i))} />}
              </Space>
            ))}
            <Button icon={<PlusOutlined />} onClick={() => setTenders((rows) => [...rows, { kind: "card", amount: "", reference: "" }])}>{t("pay.addTender")}</Button>
            <Space size="large">
              <Typography.Text>{t("pay.tenderedTotal")}: ¥{due ? yuan(due.total) : "—"}</Typography.Text>
              <Typography.Text strong data-testid="change" type={due && !due.possible ? "danger" : undefined}>
                {t("pay.change")}: {changeText}
              </Typography.Text>
              <Button type="primary" size="large" onClick={() => pay()} disabled={!desk?.session}>{t("pay.submit")}</Button>
            </Space>
            {moneyProblem === "money.tooLarge" && <Typography.Text type="danger" data-testid="money-problem">{t("money.tooLarge")}</Typography.Text>}
          </Space>
        </Card>
      )}
      {customer && today.length > 0 && (
        <Card size="small" title={t("pay.history")}>
          <PaymentTable payments={today} onReverse={setReversing} onReceipt={setReceipt} />
        </Card>
      )}
      {/* Dialogs open above the page, outside the hidden section: only while the section shows. */}
      {props.active && (
        <>
          <ReceiptDialog receiptNo={receipt} onClose={() => { setReceipt(null); accountRef.current?.focus(); }} />
          <ReversalDialog payment={reversing} onClose={() => setReversing(null)} onDone={async () => { setReversing(null); if (customer) await loadQuote(customer); await loadDesk(); }} />
          {customer && quote && (
            <RefundDialog open={refunding} customerId={customer.customer.id} max={quote.prepaid} onClose={() => setRefunding(false)}
              onDone={async (p) => { setRefunding(false); setReceipt(p.receipt_no); await loadQuote(customer); await loadDesk(); }} />
          )}
          <WaiveDialog billId={waiving} onClose={() => setWaiving(null)} onDone={async () => { setWaiving(null); if (customer) await loadQuote(customer); }} />
          <Modal destroyOnHidden open={confirming !== null} title={t("pay.confirmLarge.title")} okText={t("pay.confirmLarge.ok")} cancelText={t("common.cancel")}
            okButtonProps={{ autoFocus: true }} onOk={() => pay(true)}
            onCancel={() => { setConfirming(null); cashRef.current?.focus(); }}>
            <Typography.Paragraph>{confirming}</Typography.Paragraph>
          </Modal>
        </>
      )}
    </Space>
    </div>
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
  // One refund per press: a double Enter in the password field must not refund twice.
  const busy = useRef(false);
  async function submit() {
    const fen = parseYuan(amount);
    if (fen === null) return setError(t(yuanProblem(amount) ?? "money.invalid"));
    if (busy.current) return;
    busy.current = true;
    try {
      const p = await invoke("prepayment.refund", { refund: { customer_id: props.customerId, amount: fen, tender: "cash", reference: null, reason, note: "" }, approval });
      setError(null);
      setAmount("");
      setApproval({ username: "", password: "" });
      props.onDone(p);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    } finally {
      busy.current = false;
    }
  }
  return (
    <Modal destroyOnHidden open={props.open} title={t("refund.title", { max: yuan(props.max) })} onOk={submit} onCancel={props.onClose}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Input aria-label={t("refund.amount")} placeholder={t("refund.amount")} value={amount} onChange={(e) => setAmount(e.target.value)} suffix={t("money.unit")} />
        <Select aria-label={t("reverse.reason")} value={reason} onChange={setReason} options={options("reason_codes")} style={{ width: "100%" }} />
        <ApprovalFields value={approval} onChange={setApproval} onSubmit={submit} />
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
  const busy = useRef(false);
  async function submit() {
    if (!props.billId || busy.current) return;
    busy.current = true;
    try {
      await invoke("late_fee.waive", { bill_id: props.billId, reason, approval });
      setError(null);
      setApproval({ username: "", password: "" });
      props.onDone();
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    } finally {
      busy.current = false;
    }
  }
  return (
    <Modal destroyOnHidden open={!!props.billId} title={t("waive.title")} onOk={submit} onCancel={props.onClose}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Input aria-label={t("waive.reason")} placeholder={t("waive.reason")} value={reason} onChange={(e) => setReason(e.target.value)} />
        <ApprovalFields value={approval} onChange={setApproval} onSubmit={submit} />
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
          result.fields
            ? `${result.fields.receipt_no} · ${result.fields.account} · ¥${yuan(result.fields.amount)} · ${result.posted_local}` +
              (result.status ? ` · ${label("payment_statuses", result.status)}` : ` · ${t("verify.notLocal")}`)
            : <span data-testid="verify-application">
                {t("verify.application", { no: result.application?.application_no ?? "", at: result.posted_local, date: result.application?.promised_date ?? "" })}
                {result.application_state ? ` · ${label("application_states", result.application_state)}` : ` · ${t("verify.notLocalApplication")}`}
              </span>
        } />
      )}
      {error && <Alert type="error" showIcon data-testid="verify-result" message={t("verify.invalid")} description={error} />}
    </Space>
  );
}
