import { PlusOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Radio, Select, Space, Table, Tabs, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { invoke } from "../../api/invoke";
import type { Category } from "../../api/generated/Category";
import type { RequestDue } from "../../api/generated/RequestDue";
import type { RequestRow } from "../../api/generated/RequestRow";
import type { RequestState } from "../../api/generated/RequestState";
import { useLabels } from "../../catalog";
import { useI18n } from "../../i18n";
import { outletTime } from "../../time";
import { errorText } from "../applications/common";
import { ArrearsPanel } from "./ArrearsPanel";
import { InspectionsPanel } from "./InspectionsPanel";
import { RequestDetail } from "./RequestDetail";
import { RequestIntake } from "./RequestIntake";

const PAGE = 20;

/** Where the section is: the request list or the arrears, the intake form, or one request. */
export type RequestsView = { page: "list"; tab?: "requests" | "arrears" | "inspections" } | { page: "intake"; customerId?: string } | { page: "detail"; id: string };

/** The 工单 section: service requests (the lists by deadline and state, intake, one request with
 *  its actions) and arrears (aging, notices, disconnection and reconnection), as two tabs. */
export function RequestsScreen(props: { view: RequestsView; onView: (v: RequestsView) => void; onChanged: () => void }) {
  const { view, onView } = props;
  if (view.page === "intake") {
    return <RequestIntake customerId={view.customerId} onCancel={() => onView({ page: "list" })} onDone={(r) => { props.onChanged(); onView({ page: "detail", id: r.request.id }); }} />;
  }
  if (view.page === "detail") return <RequestDetail id={view.id} onBack={() => onView({ page: "list" })} onChanged={props.onChanged} />;
  return <SectionTabs tab={view.tab ?? "requests"} onTab={(tab) => onView({ page: "list", tab })}
    requests={<RequestList onOpen={(id) => onView({ page: "detail", id })} onNew={() => onView({ page: "intake" })} />} />;
}

function SectionTabs(props: { tab: "requests" | "arrears" | "inspections"; onTab: (t: "requests" | "arrears" | "inspections") => void; requests: React.ReactNode }) {
  const { t } = useI18n();
  return (
    <Tabs activeKey={props.tab} onChange={(k) => props.onTab(k as "requests" | "arrears" | "inspections")} data-testid="requests-tabs" destroyOnHidden items={[
      { key: "requests", label: t("req.tab.requests"), children: props.requests },
      { key: "arrears", label: t("req.tab.arrears"), children: <ArrearsPanel /> },
      { key: "inspections", label: t("req.tab.inspections"), children: <InspectionsPanel /> },
    ]} />
  );
}

function RequestList({ onOpen, onNew }: { onOpen: (id: string) => void; onNew: () => void }) {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const [due, setDue] = useState<RequestDue>("all");
  const [category, setCategory] = useState<Category | null>(null);
  const [state, setState] = useState<RequestState | null>(null);
  const [mine, setMine] = useState(false);
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<RequestRow[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const list = await invoke("service.list", { due, category, state, assignee: mine ? "me" : null, customer_id: null, offset: (page - 1) * PAGE, limit: PAGE });
      setRows(list.rows);
      setTotal(list.total);
      setError(null);
    } catch (e) {
      setError(errorText(lang, e));
    } finally {
      setLoading(false);
    }
  }, [due, category, state, mine, page, lang]);
  // load sets state only after its await.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => void load(), [load]);

  // N starts an intake from the list, as in the 业扩 section.
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
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="requests">
      <Space wrap>
        <Button type="primary" icon={<PlusOutlined />} onClick={onNew} autoFocus data-testid="new-request">{t("req.new")}</Button>
        <Radio.Group value={due} onChange={(e) => resetPage(setDue)(e.target.value)} optionType="button" data-testid="filter-due" options={[
          { value: "overdue", label: t("req.due.overdue") },
          { value: "soon", label: t("req.due.soon") },
          { value: "all", label: t("req.due.all") },
        ]} />
        <Radio.Group value={mine ? "me" : "all"} onChange={(e) => resetPage(setMine)(e.target.value === "me")} optionType="button" data-testid="filter-assignee" options={[
          { value: "me", label: t("apps.owner.me") },
          { value: "all", label: t("apps.owner.all") },
        ]} />
        <Select allowClear placeholder={t("req.category")} value={category} onChange={(v) => resetPage(setCategory)(v ?? null)} options={options("request_categories")} style={{ width: 150 }} data-testid="filter-category" />
        <Select allowClear placeholder={t("apps.state")} value={state} onChange={(v) => resetPage(setState)(v ?? null)} options={options("request_states")} style={{ width: 180 }} data-testid="filter-state" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label={t("dayend.refresh")} />
      </Space>
      <Typography.Text type="secondary">{t("req.listHint")}</Typography.Text>
      {error && <Alert type="error" showIcon message={error} />}
      <Table<RequestRow> size="small" rowKey="id" loading={loading} dataSource={rows} data-testid="request-list"
        onRow={(r) => ({ onClick: () => onOpen(r.id), onKeyDown: (e) => e.key === "Enter" && onOpen(r.id), tabIndex: 0, style: { cursor: "pointer" } })}
        pagination={{ current: page, pageSize: PAGE, total, onChange: setPage, showSizeChanger: false }}
        locale={{ emptyText: t("req.empty") }}
        columns={[
          { title: t("req.number"), render: (_, r) => (
            <Space size={4}>
              <span className="mono">{r.number}</span>
              {r.ticket_no && <Tag color="blue" title={r.ticket_no}>95598</Tag>}
            </Space>
          ) },
          { title: t("req.category"), render: (_, r) => label("request_categories", r.category) },
          { title: t("req.caller"), dataIndex: "caller_name" },
          { title: t("col.account"), dataIndex: "customer_account", render: (v: string | null) => <span className="mono">{v ?? "—"}</span> },
          { title: t("apps.state"), render: (_, r) => <RequestStateTag state={r.state} /> },
          { title: t("req.assignee"), dataIndex: "assignee_name", render: (v: string | null) => v ?? "—" },
          { title: t("req.nextDue"), render: (_, r) => (
            <Space size={4}>
              {r.next_due ? outletTime(r.next_due) : "—"}
              {r.overdue && <Tag color="red">{t("apps.overdue")}</Tag>}
              {r.due_soon && <Tag color="orange">{t("req.dueSoon")}</Tag>}
            </Space>
          ) },
          { title: t("req.acceptedAt"), render: (_, r) => outletTime(r.accepted_at) },
        ]} />
    </Space>
  );
}

export function RequestStateTag({ state }: { state: RequestState }) {
  const { label } = useLabels();
  const color = state === "reopened" ? "red" : state === "replied" ? "gold" : state === "closed" ? "green" : "blue";
  return <Tag color={color} data-testid="request-state">{label("request_states", state)}</Tag>;
}
