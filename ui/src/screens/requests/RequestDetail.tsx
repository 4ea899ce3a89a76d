import { ArrowLeftOutlined, CheckCircleTwoTone, CloseCircleTwoTone, ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Descriptions, Form, Input, Modal, Radio, Select, Space, Spin, Table, Tag, Timeline, Typography } from "antd";
import { useCallback, useContext, useEffect, useRef, useState } from "react";
import { invoke } from "../../api/invoke";
import type { CallbackOutcome } from "../../api/generated/CallbackOutcome";
import type { DeadlineView } from "../../api/generated/DeadlineView";
import type { RequestAct } from "../../api/generated/RequestAct";
import type { RequestAction } from "../../api/generated/RequestAction";
import type { RequestView } from "../../api/generated/RequestView";
import { useLabels } from "../../catalog";
import { type MessageKey, useI18n } from "../../i18n";
import { SessionContext, useCan } from "../../session";
import { outletTime } from "../../time";
import { errorText } from "../applications/common";
import { RequestStateTag } from "./RequestsScreen";

/** The actions in the order the bar shows them; intake is the form's. */
const ACTIONS: RequestAction[] = ["assign", "contact", "arrive", "restore", "reply", "callback", "close", "note"];

/** One request: what the caller said, its deadlines due against done, the timeline, and the actions the core offers. */
export function RequestDetail({ id, onBack, onChanged }: { id: string; onBack: () => void; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [view, setView] = useState<RequestView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [acting, setActing] = useState<RequestAction | null>(null);

  const load = useCallback(async () => {
    try {
      setView(await invoke("service.get", { id }));
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
      if (e.key === "Escape" && !acting) onBack();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [acting, onBack]);

  if (!view) return error ? <Alert type="error" showIcon message={error} action={<Button onClick={onBack}>{t("req.backToList")}</Button>} /> : <Spin />;
  const r = view.request;
  const done = (updated: RequestView) => {
    setView(updated);
    setActing(null);
    onChanged();
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="request-detail">
      <Space wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={onBack}>{t("req.backToList")}</Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          <span className="mono" data-testid="request-number">{r.number}</span> {label("request_categories", r.category)}
        </Typography.Title>
        <RequestStateTag state={r.state} />
        {r.ticket_no && <Tag color="blue" data-testid="request-ticket">{t("req.ticket")} <span className="mono">{r.ticket_no}</span></Tag>}
        {view.overdue && <Tag color="red" data-testid="request-overdue">{t("apps.overdue")}</Tag>}
        <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label={t("dayend.refresh")} />
      </Space>
      <Space wrap data-testid="actions">
        {ACTIONS.filter((a) => view.actions.includes(a)).map((a, i) => (
          <Button key={a} type={i === 0 && a !== "note" ? "primary" : "default"} onClick={() => setActing(a)} data-testid={`act-${a}`} autoFocus={i === 0}>
            {t(`req.act.${a}` as MessageKey)}
          </Button>
        ))}
      </Space>
      {r.state === "reopened" && <Alert type="warning" showIcon message={t("req.reopenedHint")} data-testid="reopened-hint" />}
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} />}
      <Descriptions size="small" bordered column={2} data-testid="request-facts">
        <Descriptions.Item label={t("req.caller")}>{r.caller.name}</Descriptions.Item>
        <Descriptions.Item label={t("req.callerPhone")}><span className="mono" data-testid="request-phone">{r.caller.phone || "—"}</span></Descriptions.Item>
        <Descriptions.Item label={t("col.account")}><span className="mono">{r.customer_account ?? t("req.noCustomer")}</span></Descriptions.Item>
        <Descriptions.Item label={t("req.kindLine")}>
          {[r.complaint_class && label("complaint_classes", r.complaint_class), r.service_kind && label("service_kinds", r.service_kind), r.category === "fault_repair" && label("area_types", r.area_type)].filter(Boolean).join(" · ") || "—"}
        </Descriptions.Item>
        <Descriptions.Item label={t("req.address")} span={2}>{r.address || "—"}</Descriptions.Item>
        <Descriptions.Item label={t("req.content")} span={2}>{r.content}</Descriptions.Item>
        <Descriptions.Item label={t("req.acceptedAt")}>{outletTime(r.accepted_at)} · {r.accepted_by_name}</Descriptions.Item>
        <Descriptions.Item label={t("req.assignee")}>{r.assignee_name ?? "—"}</Descriptions.Item>
        {r.reply && <Descriptions.Item label={t("req.reply")} span={2}><span data-testid="request-reply">{r.reply}</span></Descriptions.Item>}
        {r.state === "replied" && (r.category === "complaint" || r.category === "report") && (
          <Descriptions.Item label={t("req.callbackLine")} span={2}>
            <span data-testid="request-callback">
              {r.satisfaction ? label("callback_outcomes", r.satisfaction) : t("req.callbackTries", { n: r.unreachable_tries, of: view.callback_tries })}
            </span>
          </Descriptions.Item>
        )}
      </Descriptions>
      <Deadlines rows={view.deadlines} />
      <Timeline data-testid="request-timeline" items={r.events.map((e) => ({
        children: (
          <span>
            <b>{label("request_actions", e.action)}</b>{e.outcome && <> · <Tag>{label("callback_outcomes", e.outcome)}</Tag></>} · {outletTime(e.at)} · {e.by_name}
            {e.note && <div style={{ whiteSpace: "pre-wrap" }}>{e.note}</div>}
          </span>
        ),
      }))} />
      <ActDialog view={view} action={acting} onClose={() => setActing(null)} onDone={done} />
    </Space>
  );
}

function Deadlines({ rows }: { rows: DeadlineView[] }) {
  const { t } = useI18n();
  const { label } = useLabels();
  if (rows.length === 0) return null;
  return (
    <Table<DeadlineView> size="small" rowKey="milestone" pagination={false} dataSource={rows} data-testid="request-deadlines"
      columns={[
        { title: t("req.milestone"), render: (_, d) => label("milestones", d.milestone) },
        { title: t("req.due"), render: (_, d) => (d.due ? outletTime(d.due) : "—") },
        { title: t("req.done"), render: (_, d) => (d.done ? outletTime(d.done) : "—") },
        { title: t("req.met"), render: (_, d) => (d.met == null ? "—"
          : d.met ? <CheckCircleTwoTone twoToneColor="#52c41a" aria-label={t("req.metYes")} />
          : <CloseCircleTwoTone twoToneColor="#ff4d4f" aria-label={t("req.metNo")} />) },
      ]} />
  );
}

interface ActValues {
  text?: string;
  assignee?: string;
  outcome?: CallbackOutcome;
}

/** The dialog of one action: what it needs, sent once however often Enter is pressed. */
function ActDialog(props: { view: RequestView; action: RequestAction | null; onClose: () => void; onDone: (v: RequestView) => void }) {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const session = useContext(SessionContext);
  const can = useCan();
  const [form] = Form.useForm<ActValues>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const textBox = useRef<HTMLTextAreaElement | null>(null);
  const [staff, setStaff] = useState<{ value: string; label: string }[] | null>(null);
  const { action, view } = props;
  const outcome = Form.useWatch("outcome", form);
  const mayChoose = can("user.assignable");

  // A manager hands a request to anyone at the counter (only to a manager once the customer was
  // not satisfied); a clerk takes it on themselves.
  useEffect(() => {
    if (action !== "assign" || !mayChoose) return;
    invoke("user.assignable", {}).then((l) => setStaff(l.users
      .filter((u) => view.request.state !== "reopened" || u.role === "manager")
      .map((u) => ({ value: u.id, label: `${u.display_name} (${u.username}) · ${label("roles", u.role)}` }))), () => setStaff(null));
    // label depends on the language only
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [action, mayChoose, lang, view.request.state]);
  const me = session ? [{ value: session.user.id, label: `${session.user.display_name} · ${label("roles", session.user.role)}` }] : [];
  const people = (mayChoose && staff) || me;

  async function submit(values: ActValues) {
    if (!action || sending.current) return;
    sending.current = true;
    setBusy(true);
    setError(null);
    try {
      const text = values.text ?? "";
      let act: RequestAct;
      switch (action) {
        case "assign": act = { action, assignee: values.assignee ?? "", note: text }; break;
        case "reply": act = { action, reply: text }; break;
        case "callback": act = { action, outcome: values.outcome ?? "satisfied", comment: text }; break;
        case "arrive": case "restore": case "contact": case "close": case "note": act = { action, note: text }; break;
        default: return;
      }
      props.onDone(await invoke("service.act", { id: view.request.id, expected_version: view.request.version, act }));
      form.resetFields();
    } catch (e) {
      setError(errorText(lang, e));
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  const textRequired = action === "reply" || action === "note" || (action === "callback" && outcome === "unsatisfied");
  const textLabel: MessageKey = action === "reply" ? "req.reply" : action === "callback" ? "req.comment" : "field.notes";
  return (
    <Modal open={!!action} title={action ? t(`req.act.${action}` as MessageKey) : ""} onCancel={() => { setError(null); props.onClose(); }} onOk={() => form.submit()} confirmLoading={busy}
      // The modal takes the focus as it opens; the text (or the assignee) gets it back after.
      afterOpenChange={(open) => { if (open && action !== "assign") textBox.current?.focus(); }}
      okText={t("apps.confirm")} okButtonProps={{ ...({ "data-testid": "act-confirm" } as Record<`data-${string}`, string>) }} destroyOnHidden>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="act-error" />}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ outcome: "satisfied" }}>
        {action === "callback" && (
          <>
            <Typography.Paragraph>
              {t("req.callbackCall", { name: view.request.caller.name, phone: view.request.caller.phone || "—" })}
            </Typography.Paragraph>
            <Form.Item name="outcome" label={t("req.outcome")}>
              <Radio.Group optionType="button" options={options("callback_outcomes")} data-testid="act-outcome" />
            </Form.Item>
          </>
        )}
        {action === "assign" && (
          <Form.Item name="assignee" label={t("req.assignTo")} rules={[{ required: true, message: t("common.required") }]}>
            <Select autoFocus showSearch optionFilterProp="label" options={people} data-testid="act-assignee" />
          </Form.Item>
        )}
        <Form.Item name="text" label={t(textLabel)} rules={textRequired ? [{ required: true, message: t("common.required") }] : []}>
          <Input.TextArea ref={(r) => { textBox.current = r?.resizableTextArea?.textArea ?? null; }} autoFocus={action !== "assign"} rows={action === "reply" ? 4 : 2} data-testid="act-text"
            onPressEnter={(e) => { if (!e.shiftKey) { e.preventDefault(); form.submit(); } }} />
        </Form.Item>
        {action === "close" && view.request.satisfaction && (
          <Typography.Text type="secondary">{t("req.closeWith", { outcome: label("callback_outcomes", view.request.satisfaction) })}</Typography.Text>
        )}
      </Form>
    </Modal>
  );
}
