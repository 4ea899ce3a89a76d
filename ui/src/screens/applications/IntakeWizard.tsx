import { ArrowLeftOutlined, PaperClipOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Checkbox, Descriptions, Form, Input, InputNumber, Radio, Select, Space, Steps, Table, Tag, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { invoke } from "../../api/invoke";
import type { Applicant } from "../../api/generated/Applicant";
import type { ApplicationKind } from "../../api/generated/ApplicationKind";
import type { ApplicationView } from "../../api/generated/ApplicationView";
import type { AttachmentInfo } from "../../api/generated/AttachmentInfo";
import type { CustomerClass } from "../../api/generated/CustomerClass";
import type { DocumentKind } from "../../api/generated/DocumentKind";
import type { Requirements } from "../../api/generated/Requirements";
import type { SearchHit } from "../../api/generated/SearchHit";
import type { Voltage } from "../../api/generated/Voltage";
import { useLabels } from "../../catalog";
import { useI18n } from "../../i18n";
import { CustomerFinder } from "../../components/CustomerFinder";
import { NEW_CONNECTIONS, errorText, pickAttachment, workingDays } from "./common";
import { SlipDialog } from "./SlipDialog";

/** The order of the kinds in the first step; the digit keys 1…9 pick the first nine. */
const KINDS: ApplicationKind[] = [
  "residential_new", "low_voltage_new", "high_voltage_single", "high_voltage_dual", "capacity_increase",
  "capacity_decrease", "owner_transfer", "rename", "closure", "suspension", "resumption",
];

/** What a new connection of a kind usually is, so that a plain 居民新装 needs no choice. */
const DEFAULTS: Partial<Record<ApplicationKind, { class: CustomerClass; voltage: Voltage; capacity: number | null; idKind: Applicant["id_kind"] }>> = {
  residential_new: { class: "residential", voltage: "220V", capacity: 8, idKind: "resident_id" },
  low_voltage_new: { class: "general_commercial", voltage: "380V", capacity: null, idKind: "uscc" },
  high_voltage_single: { class: "large_industrial", voltage: "10kV", capacity: null, idKind: "uscc" },
  high_voltage_dual: { class: "large_industrial", voltage: "10kV", capacity: null, idKind: "uscc" },
};

const hasCapacity = (k: ApplicationKind) => NEW_CONNECTIONS.includes(k) || k === "capacity_increase" || k === "capacity_decrease";

interface Details {
  address: string;
  capacity_kva: number | null;
  voltage: Voltage | null;
  class: CustomerClass | null;
  important: boolean;
  simplified: boolean;
}

interface Uploaded {
  kind: DocumentKind;
  info: AttachmentInfo;
}

/**
 * Intake at the counter, keyboard-first: kind (↑↓ or a digit, Enter) → applicant → address and
 * supply → documents (the kind's checklist, each with an upload) → review with each step's
 * promised date → accept (Enter) → the slip. Alt+← goes back a step.
 */
export function IntakeWizard(props: { customerId?: string; onCancel: () => void; onDone: (view: ApplicationView) => void }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [step, setStep] = useState(0);
  const [kind, setKind] = useState<ApplicationKind>("residential_new");
  const [customer, setCustomer] = useState<SearchHit | null>(null);
  const [applicant, setApplicant] = useState<Applicant>({ name: "", id_kind: "resident_id", id_number: "", phone: "" });
  const [details, setDetails] = useState<Details>({ address: "", capacity_kva: 8, voltage: "220V", class: "residential", important: false, simplified: false });
  const [requirements, setRequirements] = useState<Requirements | null>(null);
  const [uploaded, setUploaded] = useState<Uploaded[]>([]);
  const [notes, setNotes] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const accepting = useRef(false);
  const [created, setCreated] = useState<ApplicationView | null>(null);
  const isNew = NEW_CONNECTIONS.includes(kind);

  // A customer handed in from the profile: the wizard starts on a change of that customer.
  useEffect(() => {
    if (!props.customerId) return;
    invoke("customer.get", { id: props.customerId }).then((v) => {
      const c = v.customer;
      setCustomer({ id: c.id, account: c.account, name: c.name, class: c.class, status: c.status, address: c.address, phone: c.phones[0] ?? "", matched_by: "account" });
      setKind("capacity_increase");
    }, () => {});
  }, [props.customerId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && e.key === "ArrowLeft" && step > 0 && !created) {
        e.preventDefault();
        setStep((s) => s - 1);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [step, created]);

  function chooseKind(next: ApplicationKind) {
    setKind(next);
    const d = DEFAULTS[next];
    if (d) {
      setDetails((x) => ({ ...x, class: d.class, voltage: d.voltage, capacity_kva: d.capacity, simplified: false }));
      setApplicant((a) => ({ ...a, id_kind: d.idKind }));
    } else if (!hasCapacity(next)) {
      setDetails((x) => ({ ...x, capacity_kva: null }));
    }
    setError(null);
    setStep(1);
  }

  function pickCustomer(hit: SearchHit) {
    setCustomer(hit);
    setApplicant((a) => ({ ...a, name: a.name || hit.name, phone: a.phone || (hit.phone.includes("*") ? "" : hit.phone) }));
    setDetails((d) => ({ ...d, address: d.address || hit.address, class: isNew ? d.class : hit.class }));
  }

  async function toDocuments() {
    setError(null);
    try {
      setRequirements(await invoke("application.requirements", {
        kind, important: details.important, simplified: details.simplified, ...(!isNew && customer ? { customer_id: customer.id } : {}),
      }));
      setStep(3);
    } catch (e) {
      setError(errorText(lang, e));
    }
  }

  async function upload(docKind: DocumentKind) {
    setError(null);
    try {
      const info = await pickAttachment();
      if (!info) return;
      const next = [...uploaded.filter((u) => !(u.kind === docKind && u.info.sha256 === info.sha256)), { kind: docKind, info }];
      setUploaded(next);
      // On to the next required document still missing, or to Next when none is: Enter goes on.
      const missingKind = requirements?.documents.find((d) => d.required && !next.some((u) => u.kind === d.kind))?.kind;
      window.requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid=${missingKind ? `upload-${missingKind}` : "intake-next"}]`)?.focus());
    } catch (e) {
      setError(errorText(lang, e));
    }
  }

  async function accept() {
    // One application however often Enter or the button is pressed while the first is on its way.
    if (accepting.current || created) return;
    accepting.current = true;
    setBusy(true);
    setError(null);
    try {
      const view = await invoke("application.create", {
        kind,
        customer_id: isNew ? null : (customer?.id ?? null),
        applicant,
        address: details.address,
        class: details.class,
        voltage: details.voltage,
        capacity_kva: hasCapacity(kind) ? details.capacity_kva : null,
        important: details.important,
        simplified: kind === "low_voltage_new" && details.simplified,
        documents: uploaded.map((u) => ({ kind: u.kind, sha256: u.info.sha256 })),
        notes,
      });
      setCreated(view);
    } catch (e) {
      setError(errorText(lang, e));
      accepting.current = false;
    } finally {
      setBusy(false);
    }
  }

  // A refusal shows above the step: brought into view when the clerk is further down.
  useEffect(() => {
    if (error) document.querySelector("[data-testid=intake-error]")?.scrollIntoView({ block: "nearest" });
  }, [error]);

  const missing = (requirements?.documents ?? []).filter((d) => d.required && !uploaded.some((u) => u.kind === d.kind));
  const titles = ["intake.step.kind", "intake.step.applicant", "intake.step.details", "intake.step.documents", "intake.step.review"] as const;

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%", maxWidth: 980 }} data-testid="intake">
      <Space>
        <Button icon={<ArrowLeftOutlined />} onClick={props.onCancel}>{t("apps.backToList")}</Button>
        <Typography.Title level={4} style={{ margin: 0 }}>{t("intake.title")}</Typography.Title>
        <Typography.Text type="secondary">{t("intake.keys")}</Typography.Text>
      </Space>
      <Steps size="small" current={step} items={titles.map((k) => ({ title: t(k) }))} />
      {error && <Alert type="error" showIcon message={error} data-testid="intake-error" closable onClose={() => setError(null)} />}
      <Card size="small">
        {step === 0 && <KindPicker value={kind} onPick={chooseKind} />}
        {step === 1 && (
          <ApplicantStep kind={kind} customer={customer} applicant={applicant} onCustomer={pickCustomer} onClearCustomer={() => setCustomer(null)}
            onChange={setApplicant} onNext={() => {
              if (!isNew && !customer) setError(t("intake.needCustomer"));
              else { setError(null); setStep(2); }
            }} />
        )}
        {step === 2 && <DetailsStep kind={kind} value={details} onChange={setDetails} onNext={() => void toDocuments()} />}
        {step === 3 && requirements && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Typography.Text type="secondary">{t("intake.docsHint")}</Typography.Text>
            <Table size="small" pagination={false} rowKey="kind" dataSource={requirements.documents} data-testid="checklist" columns={[
              { title: t("intake.document"), render: (_, d) => <span data-testid={`doc-${d.kind}`}>{label("document_kinds", d.kind)}</span> },
              { title: "", width: 90, render: (_, d) => (d.required ? <Tag color="red">{t("intake.required")}</Tag> : <Tag>{t("intake.optional")}</Tag>) },
              { title: t("intake.files"), render: (_, d) => uploaded.filter((u) => u.kind === d.kind).map((u) => (
                <div key={u.info.sha256} data-testid="uploaded"><PaperClipOutlined /> {u.info.file_name} · {u.info.mime} · {(Number(u.info.size_bytes) / 1024).toFixed(0)} KB{" "}
                  <Button size="small" type="link" onClick={() => setUploaded((l) => l.filter((x) => x !== u))}>{t("intake.remove")}</Button>
                </div>
              )) },
              { title: "", width: 140, render: (_, d, i) => (
                <Button autoFocus={i === 0} onClick={() => void upload(d.kind)} data-testid={`upload-${d.kind}`}>{t("intake.upload")}</Button>
              ) },
            ]} />
            <Space>
              <Button type="primary" onClick={() => setStep(4)} data-testid="intake-next">{t("intake.next")}</Button>
              {missing.length > 0 && <Typography.Text type="warning">{t("intake.missing", { docs: missing.map((d) => label("document_kinds", d.kind)).join(t("list.comma")) })}</Typography.Text>}
            </Space>
          </Space>
        )}
        {step === 4 && requirements && (
          <Space direction="vertical" style={{ width: "100%" }} data-testid="review">
            <Descriptions size="small" column={2} bordered items={[
              { key: "kind", label: t("apps.kind"), children: label("application_kinds", kind) },
              { key: "applicant", label: t("apps.applicant"), children: `${applicant.name} · ${applicant.id_number} · ${applicant.phone}` },
              ...(customer && !isNew ? [{ key: "customer", label: t("col.account"), children: `${customer.account} ${customer.name}` }] : []),
              { key: "address", label: t("field.address"), children: details.address, span: 2 },
              ...(hasCapacity(kind) ? [{ key: "capacity", label: t("field.capacity_kva"), children: details.capacity_kva ?? "—" }] : []),
              ...(isNew ? [
                { key: "voltage", label: t("field.voltage"), children: details.voltage ? label("voltages", details.voltage) : "—" },
                { key: "class", label: t("field.class"), children: details.class ? label("customer_classes", details.class) : "—" },
              ] : []),
              { key: "flags", label: t("intake.flags"), children: [details.important && t("intake.important"), details.simplified && t("intake.simplified")].filter(Boolean).join(t("list.comma")) || "—" },
              { key: "docs", label: t("intake.documents"), span: 2, children: uploaded.map((u) => `${label("document_kinds", u.kind)} (${u.info.file_name})`).join(t("list.comma")) || "—" },
            ]} />
            <Table size="small" pagination={false} rowKey="kind" dataSource={requirements.steps} data-testid="planned-steps" columns={[
              { title: t("apps.step"), render: (_, s) => label("step_kinds", s.kind) },
              { title: t("apps.limit"), align: "right", render: (_, s) => (s.limit_days == null ? "—" : workingDays(t, s.limit_days)) },
              { title: t("apps.promised"), dataIndex: "due_date", render: (v: string | null) => v ?? "—" },
            ]} footer={() => (
              <span data-testid="total-promise">{t("intake.totalPromise", { n: requirements.promise_days, date: requirements.promised_date })}</span>
            )} />
            {missing.length > 0 && <Alert type="warning" showIcon message={t("intake.missing", { docs: missing.map((d) => label("document_kinds", d.kind)).join(t("list.comma")) })} />}
            <Input.TextArea aria-label={t("field.notes")} placeholder={t("field.notes")} rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} />
            <Button type="primary" size="large" autoFocus loading={busy} disabled={!!created} onClick={() => void accept()} data-testid="accept">
              {t("intake.accept")}
            </Button>
          </Space>
        )}
      </Card>
      {step === 2 && <Typography.Text type="secondary">{t("intake.detailsHint")}</Typography.Text>}
      <SlipDialog applicationId={created?.id ?? null} number={created?.number} onClose={() => created && props.onDone(created)} />
      {step > 0 && !created && <Button onClick={() => setStep(step - 1)}>{t("intake.back")}</Button>}
    </Space>
  );
}

/** The kinds as a list the arrows move through; Enter or a digit picks. */
function KindPicker({ value, onPick }: { value: ApplicationKind; onPick: (k: ApplicationKind) => void }) {
  const { t } = useI18n();
  const { label } = useLabels();
  const [active, setActive] = useState(Math.max(0, KINDS.indexOf(value)));
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => list.current?.focus(), []);
  function onKeyDown(e: React.KeyboardEvent) {
    const digit = Number(e.key);
    if (e.key === "ArrowDown") setActive((i) => Math.min(i + 1, KINDS.length - 1));
    else if (e.key === "ArrowUp") setActive((i) => Math.max(i - 1, 0));
    else if (e.key === "Enter") onPick(KINDS[active]);
    else if (!e.altKey && !e.ctrlKey && digit >= 1 && digit <= 9) onPick(KINDS[digit - 1]);
    else return;
    e.preventDefault();
  }
  return (
    <div>
      <Typography.Paragraph type="secondary">{t("intake.kindHint")}</Typography.Paragraph>
      <div ref={list} tabIndex={0} role="listbox" aria-label={t("apps.kind")} onKeyDown={onKeyDown} className="kind-list" data-testid="kind-list">
        {KINDS.map((k, i) => (
          <div key={k} role="option" aria-selected={i === active} className={i === active ? "kind-option active" : "kind-option"}
            onMouseMove={() => i !== active && setActive(i)} onClick={() => onPick(k)} data-testid={`kind-${k}`}>
            <span className="kind-key">{i < 9 ? i + 1 : ""}</span>{label("application_kinds", k)}
          </div>
        ))}
      </div>
    </div>
  );
}

function ApplicantStep(props: {
  kind: ApplicationKind; customer: SearchHit | null; applicant: Applicant;
  onCustomer: (hit: SearchHit) => void; onClearCustomer: () => void; onChange: (a: Applicant) => void; onNext: () => void;
}) {
  const { t } = useI18n();
  const { options } = useLabels();
  const isNew = NEW_CONNECTIONS.includes(props.kind);
  const [mode, setMode] = useState<"new" | "existing">(isNew && !props.customer ? "new" : "existing");
  const a = props.applicant;
  const set = (patch: Partial<Applicant>) => props.onChange({ ...a, ...patch });
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {isNew && (
        <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)} optionType="button" options={[
          { value: "new", label: t("intake.newApplicant") },
          { value: "existing", label: t("intake.existingCustomer") },
        ]} />
      )}
      {mode === "existing" && (
        props.customer ? (
          <Space data-testid="chosen-customer">
            <Tag color="green" className="mono">{props.customer.account}</Tag>{props.customer.name} · {props.customer.address}
            <Button size="small" onClick={props.onClearCustomer}>{t("intake.otherCustomer")}</Button>
          </Space>
        ) : <CustomerFinder onPick={props.onCustomer} />
      )}
      <form onSubmit={(e) => { e.preventDefault(); props.onNext(); }} data-testid="applicant-form">
        <Form layout="vertical" component={false}>
          <Space wrap align="start">
            <Form.Item label={t(isNew ? "intake.applicantName" : "intake.applicantOrAgent")} required>
              <Input autoFocus={mode === "new" || !!props.customer} value={a.name} onChange={(e) => set({ name: e.target.value })} style={{ width: 200 }} data-testid="applicant-name" />
            </Form.Item>
            <Form.Item label={t("field.id_kind")}>
              <Select value={a.id_kind} onChange={(v) => set({ id_kind: v })} options={options("id_kinds")} style={{ width: 190 }} data-testid="applicant-id-kind" />
            </Form.Item>
            <Form.Item label={t("field.id_number")} required>
              <Input className="mono" value={a.id_number} onChange={(e) => set({ id_number: e.target.value.toUpperCase() })} style={{ width: 220 }} data-testid="applicant-id" />
            </Form.Item>
            <Form.Item label={t("col.phone")} required>
              <Input className="mono" value={a.phone} onChange={(e) => set({ phone: e.target.value })} style={{ width: 150 }} data-testid="applicant-phone" />
            </Form.Item>
          </Space>
        </Form>
        <div style={{ marginTop: 4 }}>
          <Button type="primary" htmlType="submit" data-testid="intake-next">{t("intake.next")}</Button>
        </div>
      </form>
    </Space>
  );
}

function DetailsStep({ kind, value, onChange, onNext }: { kind: ApplicationKind; value: Details; onChange: (d: Details) => void; onNext: () => void }) {
  const { t } = useI18n();
  const { options } = useLabels();
  const isNew = NEW_CONNECTIONS.includes(kind);
  const set = (patch: Partial<Details>) => onChange({ ...value, ...patch });
  return (
    <form onSubmit={(e) => { e.preventDefault(); onNext(); }} data-testid="details-form">
      <Form layout="vertical" component={false}>
        <Form.Item label={t("field.address")} required>
          <Input autoFocus value={value.address} onChange={(e) => set({ address: e.target.value })} data-testid="intake-address" />
        </Form.Item>
        <Space wrap align="start">
          {hasCapacity(kind) && (
            <Form.Item label={t("field.capacity_kva")} required>
              <InputNumber min={1} precision={0} value={value.capacity_kva} onChange={(v) => set({ capacity_kva: v })} style={{ width: 140 }} data-testid="intake-capacity" />
            </Form.Item>
          )}
          {isNew && (
            <>
              <Form.Item label={t("field.voltage")}>
                <Select value={value.voltage} onChange={(v) => set({ voltage: v })} options={options("voltages")} style={{ width: 150 }} data-testid="intake-voltage" />
              </Form.Item>
              <Form.Item label={t("field.class")}>
                <Select value={value.class} onChange={(v) => set({ class: v })} options={options("customer_classes")} style={{ width: 220 }} data-testid="intake-class" />
              </Form.Item>
            </>
          )}
        </Space>
        <Space wrap>
          {(isNew || kind === "capacity_increase") && (
            <Checkbox checked={value.important} onChange={(e) => set({ important: e.target.checked })} data-testid="intake-important">{t("intake.important")}</Checkbox>
          )}
          {kind === "low_voltage_new" && (
            <Checkbox checked={value.simplified} onChange={(e) => set({ simplified: e.target.checked })} data-testid="intake-simplified">{t("intake.simplified")}</Checkbox>
          )}
        </Space>
      </Form>
      <div style={{ marginTop: 12 }}>
        <Button type="primary" htmlType="submit" data-testid="intake-next">{t("intake.next")}</Button>
      </div>
    </form>
  );
}
