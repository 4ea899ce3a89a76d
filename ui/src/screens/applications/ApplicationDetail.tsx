import { ArrowLeftOutlined, CheckCircleTwoTone, CloseCircleTwoTone, ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Select, Space, Spin, Table, Tag, Timeline, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { invoke } from "../../api/invoke";
import type { Act } from "../../api/generated/Act";
import type { Action } from "../../api/generated/Action";
import type { ApplicationView } from "../../api/generated/ApplicationView";
import type { DocumentKind } from "../../api/generated/DocumentKind";
import type { MeterKind } from "../../api/generated/MeterKind";
import type { Step } from "../../api/generated/Step";
import { useLabels } from "../../catalog";
import { type MessageKey, useI18n } from "../../i18n";
import { outletTime } from "../../time";
import { StateTag } from "./ApplicationsScreen";
import { AttachmentTile } from "./Attachments";
import { NEW_CONNECTIONS, days, errorText, pickAttachment, workingDays } from "./common";
import { SlipDialog } from "./SlipDialog";

/** The step actions in the order the bar shows them; `accept` is the wizard's. */
const ACTIONS: Action[] = ["advance", "suspend", "resume", "attach", "note", "reassign", "withdraw", "reject"];

/** One application: its steps promised against actual, the timeline, its documents, and the actions the core offers. */
export function ApplicationDetail({ id, onBack, onChanged }: { id: string; onBack: () => void; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [view, setView] = useState<ApplicationView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [acting, setActing] = useState<Action | null>(null);
  const [slip, setSlip] = useState(false);

  const load = useCallback(async () => {
    try {
      setView(await invoke("application.get", { id }));
      setError(null);
    } catch (e) {
      setError(errorText(lang, e));
    }
  }, [id, lang]);
  // load sets state only after its await.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void load(), [load]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !acting && !slip) onBack();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [acting, slip, onBack]);

  if (!view) return error ? <Alert type="error" showIcon message={error} action={<Button onClick={onBack}>{t("apps.backToList")}</Button>} /> : <Spin />;
  const current = view.current == null ? null : view.steps.find((s) => s.position === view.current) ?? null;
  const d = view.draft;
  const done = (updated: ApplicationView) => {
    setView(updated);
    setActing(null);
    onChanged();
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="application-detail">
      <Space wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={onBack}>{t("apps.backToList")}</Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          <span className="mono" data-testid="application-number">{view.number}</span> {label("application_kinds", view.kind)}
        </Typography.Title>
        <StateTag state={view.state} />
        {d.important && <Tag color="gold">{t("intake.important")}</Tag>}
        {d.simplified && <Tag>{t("intake.simplified")}</Tag>}
        <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label={t("dayend.refresh")} />
        <Button onClick={() => setSlip(true)} data-testid="show-slip">{t("slip.title")}</Button>
      </Space>
      <Space wrap data-testid="actions">
        {ACTIONS.filter((a) => view.actions.includes(a)).map((a) => (
          <Button key={a} type={a === "advance" ? "primary" : "default"} danger={a === "reject" || a === "withdraw"} onClick={() => setActing(a)} data-testid={`act-${a}`}>
            {a === "advance" && current ? t("apps.advanceStep", { step: label("step_kinds", current.kind) }) : t(`apps.act.${a}` as MessageKey)}
          </Button>
        ))}
      </Space>
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} />}
      <Card size="small">
        <Descriptions size="small" column={3} items={[
          { key: "applicant", label: t("apps.applicant"), children: `${d.applicant.name} · ${d.applicant.id_number} · ${d.applicant.phone}` },
          { key: "account", label: t("col.account"), children: <span className="mono" data-testid="application-account">{view.customer_account ?? "—"}</span> },
          { key: "address", label: t("field.address"), children: d.address },
          ...(d.capacity_kva != null ? [{ key: "capacity", label: t("field.capacity_kva"), children: d.capacity_kva }] : []),
          ...(d.voltage ? [{ key: "voltage", label: t("field.voltage"), children: label("voltages", d.voltage) }] : []),
          ...(d.class ? [{ key: "class", label: t("field.class"), children: label("customer_classes", d.class) }] : []),
          { key: "accepted", label: t("apps.acceptedAt"), children: `${outletTime(view.accepted_at)} · ${view.accepted_by}` },
          { key: "promised", label: t("apps.promisedDate"), children: <span data-testid="promised-date">{view.promised_date}</span> },
          { key: "used", label: t("apps.used"), children: <span data-testid="used-days">{t("apps.usedOf", { used: days(view.used_centidays), limit: view.promise_days })}</span> },
          ...(view.met == null ? [] : [{ key: "met", label: t("apps.met"), children: <span data-testid="application-met">{view.met ? t("apps.metYes") : t("apps.metNo")}</span> }]),
          { key: "rules", label: t("apps.rules"), children: view.rules_version },
          ...(d.notes ? [{ key: "notes", label: t("field.notes"), children: d.notes, span: 3 }] : []),
        ]} />
      </Card>
      <Card size="small" title={t("apps.steps")}>
        <Table<Step> size="small" pagination={false} rowKey="position" dataSource={view.steps} data-testid="steps"
          rowClassName={(s) => (s.position === view.current ? "row-active" : "")}
          columns={[
            { title: t("apps.step"), render: (_, s) => label("step_kinds", s.kind) },
            { title: t("apps.stepOwner"), dataIndex: "owner_name", render: (v: string | null) => v ?? "—" },
            { title: t("apps.limit"), align: "right", render: (_, s) => (s.limit_days == null ? "—" : workingDays(t, s.limit_days)) },
            { title: t("apps.started"), dataIndex: "started_at", render: (v: string | null) => (v ? outletTime(v) : "—") },
            { title: t("apps.promised"), dataIndex: "due_date", render: (v: string | null) => <span data-testid="step-due">{v ?? "—"}</span> },
            { title: t("apps.finished"), dataIndex: "finished_at", render: (v: string | null) => (v ? outletTime(v) : "—") },
            { title: t("apps.usedDays"), align: "right", render: (_, s) => days(s.used_centidays) },
            { title: t("apps.met"), render: (_, s) => (s.met == null ? "—" : s.met
              ? <span data-testid="step-met"><CheckCircleTwoTone twoToneColor="#52c41a" /> {t("apps.metYes")}</span>
              : <span data-testid="step-missed"><CloseCircleTwoTone twoToneColor="#cf1322" /> {t("apps.metNo")}</span>) },
          ]} />
      </Card>
      <Space align="start" size="middle" style={{ width: "100%" }} wrap>
        <Card size="small" title={t("apps.timeline")} style={{ minWidth: 420 }}>
          <Timeline data-testid="timeline" items={view.timeline.map((e) => ({
            color: e.action === "reject" || e.action === "withdraw" ? "red" : e.action === "suspend" ? "orange" : e.action === "advance" ? "green" : "blue",
            children: (
              <div>
                <Typography.Text strong>{label("application_actions", e.action)}</Typography.Text>
                {e.step && <> · {label("step_kinds", e.step)}</>}
                <div><Typography.Text type="secondary">{outletTime(e.at)} · {e.by}</Typography.Text></div>
                {e.note && <div>{e.note}</div>}
              </div>
            ),
          }))} />
        </Card>
        <Card size="small" title={t("apps.documents")} style={{ minWidth: 420 }}>
          <Space wrap data-testid="attachments">
            {view.documents.length === 0 && <Typography.Text type="secondary">—</Typography.Text>}
            {view.documents.map((doc) => <AttachmentTile key={`${doc.kind}-${doc.sha256}`} doc={doc} />)}
          </Space>
        </Card>
      </Space>
      <ActDialog view={view} action={acting} onClose={() => setActing(null)} onDone={done} />
      <SlipDialog applicationId={slip ? view.id : null} number={view.number} onClose={() => setSlip(false)} />
    </Space>
  );
}

interface ActValues {
  text?: string;
  owner?: string;
  account?: string;
  meter?: string;
  meter_kind?: MeterKind;
  multiplier?: number;
  tariff_code?: string;
  supply_area?: string;
  document_kind?: DocumentKind;
}

/** What an action needs, asked in one dialog; the core checks it and the role again. */
function ActDialog(props: { view: ApplicationView; action: Action | null; onClose: () => void; onDone: (v: ApplicationView) => void }) {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const [form] = Form.useForm<ActValues>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tariffs, setTariffs] = useState<{ value: string; label: string }[]>([]);
  const [owners, setOwners] = useState<{ value: string; label: string }[]>([]);
  const { view, action } = props;
  const current = view.current == null ? null : view.steps.find((s) => s.position === view.current);
  const connecting = action === "advance" && current?.kind === "connection" && NEW_CONNECTIONS.includes(view.kind);
  const reasonNeeded = action === "suspend" || action === "withdraw" || action === "reject";

  useEffect(() => {
    if (!connecting) return;
    invoke("tariff.list", {}).then((l) => {
      const seen = new Map<string, string>();
      l.versions.forEach((v) => seen.set(v.code, `${v.code} ${lang === "zh-CN" ? v.name_zh : v.name_en}`));
      setTariffs([...seen].map(([value, text]) => ({ value, label: text })));
    }, () => {});
  }, [connecting, lang]);

  useEffect(() => {
    if (action !== "reassign") return;
    invoke("user.assignable", {}).then((l) => setOwners(l.users.map((u) => ({ value: u.id, label: `${u.display_name} (${u.username}) · ${label("roles", u.role)}` }))), () => {});
    // label depends on the language only
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [action, lang]);

  async function submit(values: ActValues) {
    if (!action || busy) return;
    setBusy(true);
    setError(null);
    try {
      const text = values.text ?? "";
      let act: Act;
      switch (action) {
        case "advance":
          act = { action, note: text, connection: connecting ? {
            account: values.account ?? "",
            meters: [{ number: values.meter ?? "", kind: values.meter_kind ?? "single_phase", multiplier: values.multiplier ?? 1 }],
            tariff_code: values.tariff_code ?? "",
            supply_area: values.supply_area ?? "",
          } : null };
          break;
        case "suspend": case "withdraw": case "reject":
          act = { action, reason: text };
          break;
        case "resume":
          act = { action, note: text };
          break;
        case "reassign":
          act = { action, owner: values.owner ?? "", note: text };
          break;
        case "attach": {
          const info = await pickAttachment();
          if (!info) return;
          act = { action, document: { kind: values.document_kind ?? "other", sha256: info.sha256 } };
          break;
        }
        default:
          act = { action: "note", note: text };
      }
      props.onDone(await invoke("application.act", { id: view.id, expected_version: view.version, act }));
      form.resetFields();
    } catch (e) {
      setError(errorText(lang, e));
    } finally {
      setBusy(false);
    }
  }

  const title = action ? (action === "advance" && current ? t("apps.advanceStep", { step: label("step_kinds", current.kind) }) : t(`apps.act.${action}` as MessageKey)) : "";
  const textLabel: MessageKey = reasonNeeded ? "apps.reason" : "field.notes";
  return (
    <Modal open={!!action} title={title} onCancel={() => { setError(null); props.onClose(); }} onOk={() => form.submit()} confirmLoading={busy}
      okText={action === "attach" ? t("intake.upload") : t("apps.confirm")} okButtonProps={{ danger: action === "reject" || action === "withdraw", ...({ "data-testid": "act-confirm" } as Record<`data-${string}`, string>) }}
      destroyOnHidden>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="act-error" />}
      {action === "suspend" && <Typography.Paragraph type="secondary">{t("apps.suspendHint")}</Typography.Paragraph>}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ meter_kind: "single_phase", multiplier: 1, document_kind: "other", supply_area: "" }}>
        {connecting && (
          <>
            <Typography.Paragraph type="secondary">{t("apps.connectionHint")}</Typography.Paragraph>
            <Space wrap align="start">
              <Form.Item name="account" label={t("field.account")} rules={[{ required: true, message: t("common.required") }]}>
                <Input autoFocus className="mono" style={{ width: 160 }} data-testid="conn-account" />
              </Form.Item>
              <Form.Item name="meter" label={t("field.meter.number")} rules={[{ required: true, message: t("common.required") }]}>
                <Input className="mono" style={{ width: 180 }} data-testid="conn-meter" />
              </Form.Item>
              <Form.Item name="meter_kind" label={t("field.meter.kind")}>
                <Select options={options("meter_kinds")} style={{ width: 170 }} />
              </Form.Item>
              <Form.Item name="multiplier" label={t("field.meter.multiplier")}>
                <InputNumber min={1} precision={0} style={{ width: 90 }} />
              </Form.Item>
              <Form.Item name="tariff_code" label={t("field.tariff_code")} rules={[{ required: true, message: t("common.required") }]}>
                <Select showSearch options={tariffs} style={{ width: 260 }} data-testid="conn-tariff" />
              </Form.Item>
              <Form.Item name="supply_area" label={t("field.supply_area")}>
                <Input style={{ width: 180 }} data-testid="conn-area" />
              </Form.Item>
            </Space>
          </>
        )}
        {action === "reassign" && (
          <Form.Item name="owner" label={t("apps.newOwner")} rules={[{ required: true, message: t("common.required") }]}>
            <Select autoFocus showSearch optionFilterProp="label" options={owners} data-testid="act-owner" />
          </Form.Item>
        )}
        {action === "attach" && (
          <Form.Item name="document_kind" label={t("intake.document")}>
            <Select options={options("document_kinds")} data-testid="act-doc-kind" />
          </Form.Item>
        )}
        {action !== "attach" && (
          <Form.Item name="text" label={t(textLabel)} rules={reasonNeeded ? [{ required: true, message: t("common.required") }] : []}>
            <Input.TextArea autoFocus={!connecting && action !== "reassign"} rows={2} data-testid="act-text"
              onPressEnter={(e) => { if (!e.shiftKey) { e.preventDefault(); form.submit(); } }} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
