import { PlusOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, Badge, Button, Radio, Select, Space, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { invoke } from "../../api/invoke";
import type { ApplicationKind } from "../../api/generated/ApplicationKind";
import type { ApplicationRow } from "../../api/generated/ApplicationRow";
import type { ApplicationState } from "../../api/generated/ApplicationState";
import type { Due } from "../../api/generated/Due";
import { useLabels } from "../../catalog";
import { useI18n } from "../../i18n";
import { ApplicationDetail } from "./ApplicationDetail";
import { errorText } from "./common";
import { IntakeWizard } from "./IntakeWizard";

const PAGE = 20;

/** Where the section is: the list, the intake wizard or one application. */
export type AppsView = { page: "list" } | { page: "intake"; customerId?: string } | { page: "detail"; id: string };

/** The 业扩 section: the list with its filters, the intake wizard and the detail page. */
export function ApplicationsScreen(props: { view: AppsView; onView: (v: AppsView) => void; onChanged: () => void }) {
  const { view, onView } = props;
  if (view.page === "intake") {
    return <IntakeWizard customerId={view.customerId} onCancel={() => onView({ page: "list" })} onDone={(a) => { props.onChanged(); onView({ page: "detail", id: a.id }); }} />;
  }
  if (view.page === "detail") return <ApplicationDetail id={view.id} onBack={() => onView({ page: "list" })} onChanged={props.onChanged} />;
  return <ApplicationList onOpen={(id) => onView({ page: "detail", id })} onNew={() => onView({ page: "intake" })} />;
}

function ApplicationList({ onOpen, onNew }: { onOpen: (id: string) => void; onNew: () => void }) {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const [due, setDue] = useState<Due>("all");
  const [kind, setKind] = useState<ApplicationKind | null>(null);
  const [state, setState] = useState<ApplicationState | null>(null);
  const [mine, setMine] = useState(false);
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<ApplicationRow[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const list = await invoke("application.list", { due, kind, state, owner: mine ? "me" : null, customer_id: null, offset: (page - 1) * PAGE, limit: PAGE });
      setRows(list.rows);
      setTotal(list.total);
      setError(null);
    } catch (e) {
      setError(errorText(lang, e));
    } finally {
      setLoading(false);
    }
  }, [due, kind, state, mine, page, lang]);
  // load sets state only after its await.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void load(), [load]);

  // N starts an intake from the list, as the search box's shortcuts do elsewhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA" || e.target.isContentEditable);
      if (!typing && !e.altKey && !e.ctrlKey && (e.key === "n" || e.key === "N")) {
        e.preventDefault();
        onNew();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onNew]);

  const resetPage = <T,>(set: (v: T) => void) => (v: T) => { set(v); setPage(1); };
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="applications">
      <Space wrap>
        <Button type="primary" icon={<PlusOutlined />} onClick={onNew} autoFocus data-testid="new-application">{t("apps.new")}</Button>
        <Radio.Group value={due} onChange={(e) => resetPage(setDue)(e.target.value)} optionType="button" data-testid="filter-due" options={[
          { value: "today", label: t("apps.due.today") },
          { value: "overdue", label: t("apps.due.overdue") },
          { value: "at_risk", label: t("apps.due.atRisk") },
          { value: "all", label: t("apps.due.all") },
        ]} />
        <Radio.Group value={mine ? "me" : "all"} onChange={(e) => resetPage(setMine)(e.target.value === "me")} optionType="button" data-testid="filter-owner" options={[
          { value: "me", label: t("apps.owner.me") },
          { value: "all", label: t("apps.owner.all") },
        ]} />
        <Select allowClear placeholder={t("apps.kind")} value={kind} onChange={(v) => resetPage(setKind)(v ?? null)} options={options("application_kinds")} style={{ width: 230 }} data-testid="filter-kind" />
        <Select allowClear placeholder={t("apps.state")} value={state} onChange={(v) => resetPage(setState)(v ?? null)} options={options("application_states")} style={{ width: 170 }} data-testid="filter-state" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label={t("dayend.refresh")} />
      </Space>
      <Typography.Text type="secondary">{t("apps.listHint")}</Typography.Text>
      {error && <Alert type="error" showIcon message={error} />}
      <Table<ApplicationRow> size="small" rowKey="id" loading={loading} dataSource={rows} data-testid="application-list"
        onRow={(r) => ({ onClick: () => onOpen(r.id), onKeyDown: (e) => e.key === "Enter" && onOpen(r.id), tabIndex: 0, style: { cursor: "pointer" } })}
        pagination={{ current: page, pageSize: PAGE, total, onChange: setPage, showSizeChanger: false }}
        locale={{ emptyText: t("apps.empty") }}
        columns={[
          { title: t("apps.number"), dataIndex: "number", render: (v: string) => <span className="mono">{v}</span> },
          { title: t("apps.kind"), render: (_, r) => label("application_kinds", r.kind) },
          { title: t("apps.applicant"), dataIndex: "applicant_name" },
          { title: t("col.account"), dataIndex: "customer_account", render: (v: string | null) => <span className="mono">{v ?? "—"}</span> },
          { title: t("apps.state"), render: (_, r) => <StateTag state={r.state} /> },
          { title: t("apps.step"), render: (_, r) => (r.step ? label("step_kinds", r.step) : "—") },
          { title: t("apps.stepOwner"), dataIndex: "owner_name", render: (v: string | null) => v ?? "—" },
          { title: t("apps.stepDue"), render: (_, r) => (
            <Space size={4}>
              {r.step_due ?? "—"}
              {r.overdue && <Tag color="red">{t("apps.overdue")}</Tag>}
              {!r.overdue && r.at_risk && <Tag color="orange">{t("apps.atRisk")}</Tag>}
            </Space>
          ) },
          { title: t("apps.promisedDate"), dataIndex: "promised_date" },
        ]} />
    </Space>
  );
}

export function StateTag({ state }: { state: ApplicationState }) {
  const { label } = useLabels();
  const color = state === "active" ? "blue" : state === "suspended" ? "orange" : state === "completed" ? "green" : "default";
  return <Tag color={color} data-testid="application-state">{label("application_states", state)}</Tag>;
}

/** A navigation entry's count of what is overdue. */
export function OverdueBadge({ n, children, testId = "overdue-badge", title }: { n: number; children: React.ReactNode; testId?: string; title?: string }) {
  return <Badge count={n} size="small" offset={[10, 0]} data-testid={testId} title={title ? `${title}: ${n}` : String(n)}>{children}</Badge>;
}
