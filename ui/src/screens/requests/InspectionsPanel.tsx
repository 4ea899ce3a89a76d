import { Alert, Button, Input, Modal, Radio, Space, Switch, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { invoke } from "../../api/invoke";
import type { CheckItem } from "../../api/generated/CheckItem";
import type { Defect } from "../../api/generated/Defect";
import type { DueCustomer } from "../../api/generated/DueCustomer";
import type { Finding } from "../../api/generated/Finding";
import type { Inspection } from "../../api/generated/Inspection";
import { useLabels } from "../../catalog";
import { useI18n } from "../../i18n";
import { useCan } from "../../session";
import { errorText } from "../applications/common";
import { openPdf } from "../pdf";

/**
 * 用电检查: the customers due (by cycle or this year's sample), recording a visit with its
 * checklist, the rectification notice of one that found defects, and the open defects with their
 * follow-up visits.
 */
export function InspectionsPanel() {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [due, setDue] = useState<DueCustomer[]>([]);
  const [today, setToday] = useState("");
  const [defects, setDefects] = useState<Defect[]>([]);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [inspecting, setInspecting] = useState<DueCustomer | null>(null);
  const [visiting, setVisiting] = useState<Defect | null>(null);
  const [error, setError] = useState<string | null>(null);
  const can = useCan();

  const load = useCallback(async () => {
    try {
      const [d, list] = await Promise.all([invoke("inspection.due", {}), invoke("inspection.defects", { overdue: overdueOnly })]);
      setDue(d.rows);
      setToday(d.on);
      setDefects(list.rows);
      setError(null);
    } catch (e) {
      setError(errorText(lang, e));
    }
  }, [overdueOnly, lang]);
  // load sets state only after its await.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void load(), [load]);

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="inspections">
      {error && <Alert type="error" showIcon message={error} />}
      <Typography.Title level={5}>{t("insp.due", { n: due.length })}</Typography.Title>
      <Table<DueCustomer> size="small" rowKey="customer_id" dataSource={due} pagination={{ pageSize: 10, showSizeChanger: false }} data-testid="inspections-due"
        locale={{ emptyText: t("insp.noneDue") }}
        columns={[
          { title: t("col.account"), dataIndex: "account", render: (v: string) => <span className="mono">{v}</span> },
          { title: t("col.name"), dataIndex: "name" },
          { title: t("field.voltage"), render: (_, r) => label("voltages", r.voltage) },
          { title: t("insp.reason"), render: (_, r) => <Tag color={r.reason === "cycle" ? "blue" : "default"}>{label("inspection_due_reasons", r.reason)}</Tag> },
          { title: t("insp.last"), render: (_, r) => r.last_inspected ?? t("insp.never") },
          { title: "", render: (_, r) => can("inspection.record") && <Button size="small" onClick={() => setInspecting(r)} data-testid="inspect">{t("insp.record")}</Button> },
        ]} />
      <Space>
        <Typography.Title level={5} style={{ margin: 0 }}>{t("insp.defects")}</Typography.Title>
        <Switch checked={overdueOnly} onChange={setOverdueOnly} data-testid="defects-overdue" /> {t("insp.overdueOnly")}
      </Space>
      <Table<Defect> size="small" rowKey="id" dataSource={defects} pagination={{ pageSize: 10, showSizeChanger: false }} data-testid="defects"
        locale={{ emptyText: t("insp.noDefects") }}
        columns={[
          { title: t("col.account"), dataIndex: "account", render: (v: string) => <span className="mono">{v}</span> },
          { title: t("col.name"), dataIndex: "customer_name" },
          { title: t("insp.item"), render: (_, d) => label("check_items", d.item) },
          { title: t("insp.description"), dataIndex: "description" },
          { title: t("insp.deadline"), render: (_, d) => <Space size={4}>{d.deadline}{today && d.deadline < today && <Tag color="red">{t("apps.overdue")}</Tag>}</Space> },
          { title: t("insp.visits"), dataIndex: "visits" },
          { title: "", render: (_, d) => (
            <Space>
              {can("inspection.follow_up") && <Button size="small" onClick={() => setVisiting(d)} data-testid="follow-up">{t("insp.followUp")}</Button>}
              <Button size="small" onClick={() => invoke("inspection.notice", { id: d.inspection_id }).then(openPdf).catch((e) => setError(errorText(lang, e)))} data-testid="rectification-notice">
                {t("insp.notice")}
              </Button>
            </Space>
          ) },
        ]} />
      <InspectDialog customer={inspecting} today={today} onClose={(changed) => { setInspecting(null); if (changed) void load(); }} />
      <FollowUpDialog defect={visiting} today={today} onClose={(changed) => { setVisiting(null); if (changed) void load(); }} />
    </Space>
  );
}

interface Row { ok: boolean; description: string; deadline: string }

/** The checklist of one visit: each item in order or a defect with its deadline. */
function InspectDialog(props: { customer: DueCustomer | null; today: string; onClose: (changed: boolean) => void }) {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const items = options("check_items").map((o) => o.value as CheckItem);
  const [rows, setRows] = useState<Record<string, Row>>({});
  const [on, setOn] = useState<string | null>(null);
  const [notes, setNotes] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [recorded, setRecorded] = useState<Inspection | null>(null);
  const sending = useRef(false);
  const row = (item: string): Row => rows[item] ?? { ok: true, description: "", deadline: "" };
  const set = (item: string, patch: Partial<Row>) => setRows((r) => ({ ...r, [item]: { ...row(item), ...patch } }));

  async function save() {
    if (!props.customer || sending.current) return;
    sending.current = true;
    setError(null);
    try {
      const findings: Finding[] = items.map((item) => {
        const r = row(item);
        return { item, ok: r.ok, defect: r.ok ? null : { description: r.description, deadline: r.deadline || (on ?? props.today) } };
      });
      // Recorded: `sending` stays set until the dialog closes, so a second click records nothing.
      setRecorded(await invoke("inspection.record", { customer_id: props.customer.customer_id, inspected_on: on ?? props.today, findings, notes }));
    } catch (e) {
      setError(errorText(lang, e));
      sending.current = false;
    }
  }

  const close = () => {
    const changed = !!recorded;
    setRows({}); setOn(null); setNotes(""); setError(null); setRecorded(null);
    props.onClose(changed);
  };
  return (
    <Modal open={!!props.customer} width={760} title={props.customer ? `${t("insp.record")} · ${props.customer.account} ${props.customer.name}` : ""} onCancel={close} destroyOnHidden
      // `sending` is cleared once the dialog has gone: a second click before then records nothing.
      afterClose={() => { sending.current = false; }}
      footer={recorded ? (
        <Space>
          {recorded.defects.length > 0 && (
            <Button type="primary" autoFocus onClick={() => invoke("inspection.notice", { id: recorded.id }).then(openPdf).catch((e) => setError(errorText(lang, e)))} data-testid="recorded-notice">
              {t("insp.notice")}
            </Button>
          )}
          <Button onClick={close}>{t("common.close")}</Button>
        </Space>
      ) : (
        <Space>
          <Button type="primary" onClick={() => void save()} data-testid="inspection-save">{t("apps.confirm")}</Button>
          <Button onClick={close}>{t("common.cancel")}</Button>
        </Space>
      )}>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="inspection-error" />}
      {recorded ? (
        <Alert type={recorded.defects.length ? "warning" : "success"} showIcon data-testid="inspection-recorded"
          message={recorded.defects.length ? t("insp.recordedDefects", { n: recorded.defects.length }) : t("insp.recordedOk")} />
      ) : (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Space>{t("insp.date")}<Input type="date" value={on ?? props.today} onChange={(e) => setOn(e.target.value)} style={{ width: 170 }} data-testid="inspection-date" /></Space>
          {items.map((item) => (
            <Space key={item} wrap align="start" data-testid={`check-${item}`}>
              <span style={{ display: "inline-block", width: 150 }}>{label("check_items", item)}</span>
              <Radio.Group value={row(item).ok} onChange={(e) => set(item, { ok: e.target.value })} optionType="button" size="small"
                options={[{ value: true, label: t("insp.ok") }, { value: false, label: t("insp.defect") }]} />
              {!row(item).ok && (
                <>
                  <Input placeholder={t("insp.description")} value={row(item).description} onChange={(e) => set(item, { description: e.target.value })} style={{ width: 260 }} data-testid="defect-description" />
                  <Input type="date" value={row(item).deadline} onChange={(e) => set(item, { deadline: e.target.value })} style={{ width: 160 }} aria-label={t("insp.deadline")} data-testid="defect-deadline" />
                </>
              )}
            </Space>
          ))}
          <Input.TextArea placeholder={t("field.notes")} value={notes} onChange={(e) => setNotes(e.target.value)} rows={2} />
        </Space>
      )}
    </Modal>
  );
}

/** A follow-up visit: its date, whether the defect is put right, a note. */
function FollowUpDialog(props: { defect: Defect | null; today: string; onClose: (changed: boolean) => void }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [on, setOn] = useState<string | null>(null);
  const [rectified, setRectified] = useState(true);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const sending = useRef(false);
  const close = (changed: boolean) => { setOn(null); setRectified(true); setNote(""); setError(null); props.onClose(changed); };

  async function save() {
    if (!props.defect || sending.current) return;
    sending.current = true;
    try {
      const visited = on ?? props.today;
      await invoke("inspection.follow_up", { defect_id: props.defect.id, visited_on: visited || null, rectified, note });
      close(true);
    } catch (e) {
      setError(errorText(lang, e));
      sending.current = false;
    }
  }

  return (
    <Modal open={!!props.defect} title={props.defect ? `${t("insp.followUp")} · ${label("check_items", props.defect.item)}` : ""} onCancel={() => close(false)} onOk={() => void save()} okText={t("apps.confirm")} destroyOnHidden
      afterClose={() => { sending.current = false; }}>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="follow-up-error" />}
      <Space direction="vertical" style={{ width: "100%" }}>
        <Typography.Text>{props.defect?.description}</Typography.Text>
        <Space>{t("insp.visitDate")}<Input type="date" value={on ?? props.today} onChange={(e) => setOn(e.target.value)} style={{ width: 170 }} data-testid="follow-up-date" /></Space>
        <Radio.Group value={rectified} onChange={(e) => setRectified(e.target.value)} optionType="button"
          options={[{ value: true, label: t("insp.rectified") }, { value: false, label: t("insp.notRectified") }]} data-testid="follow-up-result" />
        <Input.TextArea placeholder={t("field.notes")} value={note} onChange={(e) => setNote(e.target.value)} rows={2} />
      </Space>
    </Modal>
  );
}
