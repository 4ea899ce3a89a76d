import { useState } from "react";
import { Alert, Button, Card, Form, Input, Select, Space, Table, Tag, Timeline } from "antd";
import type { DispatchArgs } from "../generated/DispatchArgs";
import type { OutletSummary } from "../generated/OutletSummary";
import type { TicketView } from "../generated/TicketView";
import type { WorkstationView } from "../generated/WorkstationView";
import { call } from "../api";
import { type ConsoleKey, useT } from "../i18n";
import { useLoad, useReport, when } from "./common";

// The codes of model::service; their labels are the console's `tk.*` strings.
const CATEGORIES = ["fault_repair", "consultation", "information", "complaint", "report", "suggestion", "opinion", "praise", "service_request"];
const CLASSES = ["service", "business", "outage", "quality", "grid_work"];
const KINDS = ["reconnection", "meter_fault", "reading_fault", "appliance_damage", "other"];
const STATE_COLOURS: Record<string, string> = { dispatched: "default", accepted: "blue", assigned: "gold", replied: "cyan", reopened: "red", closed: "green", rejected: "red" };

type Fields = Omit<DispatchArgs, "received_at">;

/** 95598 work orders: dispatch one to a workstation of an outlet, and follow how the outlet handles it. */
export function TicketsScreen() {
  const { t } = useT();
  const report = useReport();
  const label = (prefix: string, code: string | null | undefined) => (code ? t(`${prefix}.${code}` as ConsoleKey) : "");
  const [form] = Form.useForm<Fields>();
  const category = Form.useWatch("category", form);
  const outlets = useLoad(() => call("GET /outlets", null));
  const tickets = useLoad(() => call("GET /tickets", null));
  const [stations, setStations] = useState<WorkstationView[]>([]);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<TicketView | null>(null);

  const chooseOutlet = async (code: string) => {
    form.setFieldValue("workstation_id", undefined);
    try {
      const detail = await call("GET /outlets/{code}", null, { code });
      const live = detail.workstations.filter((w) => !w.revoked_at);
      setStations(live);
      if (live.length) form.setFieldValue("workstation_id", live[0].id);
    } catch (e) {
      report(e);
    }
  };
  const dispatch = async (values: Fields) => {
    if (busy) return;
    setBusy(true);
    setSent(null);
    try {
      const ticket = await call("POST /tickets", { ...values, received_at: null });
      setSent(ticket);
      form.resetFields(["ticket_no", "customer_account", "caller_name", "caller_phone", "address", "content"]);
      tickets.reload();
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Card title={t("tk.dispatch")}>
        <Form form={form} layout="vertical" onFinish={dispatch} initialValues={{ category: "fault_repair" }} data-testid="ticket-form">
          <Space wrap align="start">
            <Form.Item name="outlet_code" label={t("tk.outlet")} rules={[{ required: true, message: t("tk.required") }]}>
              <Select style={{ width: 200 }} onChange={(v: string) => void chooseOutlet(v)} aria-label={t("tk.outlet")}
                options={(outlets.data ?? []).map((o: OutletSummary) => ({ value: o.code, label: `${o.code} ${o.name}` }))} />
            </Form.Item>
            <Form.Item name="workstation_id" label={t("tk.workstation")} rules={[{ required: true, message: t("tk.required") }]}>
              <Select style={{ width: 200 }} aria-label={t("tk.workstation")}
                options={stations.map((w) => ({ value: w.id, label: `${t("tk.counter")} ${w.counter_no} · ${w.hostname}` }))} />
            </Form.Item>
            <Form.Item name="ticket_no" label={t("tk.number")} rules={[{ required: true, message: t("tk.required") }]}>
              <Input style={{ width: 200 }} maxLength={32} className="mono" />
            </Form.Item>
            <Form.Item name="category" label={t("tk.category")} rules={[{ required: true }]}>
              <Select style={{ width: 160 }} aria-label={t("tk.category")} options={CATEGORIES.map((c) => ({ value: c, label: label("tk.cat", c) }))} />
            </Form.Item>
            {category === "complaint" && (
              <Form.Item name="complaint_class" label={t("tk.class")} rules={[{ required: true, message: t("tk.required") }]}>
                <Select style={{ width: 140 }} aria-label={t("tk.class")} options={CLASSES.map((c) => ({ value: c, label: label("tk.class", c) }))} />
              </Form.Item>
            )}
            {category === "service_request" && (
              <Form.Item name="service_kind" label={t("tk.kind")} rules={[{ required: true, message: t("tk.required") }]}>
                <Select style={{ width: 160 }} aria-label={t("tk.kind")} options={KINDS.map((c) => ({ value: c, label: label("tk.kind", c) }))} />
              </Form.Item>
            )}
          </Space>
          <Space wrap align="start">
            <Form.Item name="customer_account" label={t("tk.account")}>
              <Input style={{ width: 160 }} maxLength={10} className="mono" />
            </Form.Item>
            <Form.Item name="caller_name" label={t("tk.caller")}>
              <Input style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="caller_phone" label={t("tk.phone")}>
              <Input style={{ width: 160 }} maxLength={20} />
            </Form.Item>
            <Form.Item name="address" label={t("tk.address")}>
              <Input style={{ width: 320 }} />
            </Form.Item>
          </Space>
          <Form.Item name="content" label={t("tk.content")} rules={[{ required: true, message: t("tk.required") }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="ticket-dispatch">{t("tk.submit")}</Button>
        </Form>
        {sent && <Alert style={{ marginTop: 12 }} type="success" showIcon message={t("tk.sent", { no: sent.ticket_no, ws: sent.workstation_id })} />}
      </Card>
      <Card title={t("tk.list")} extra={<Button onClick={tickets.reload}>{t("tk.reload")}</Button>}>
        <Table<TicketView> size="small" rowKey={(r) => `${r.outlet_code}/${r.ticket_no}`} loading={tickets.loading} dataSource={tickets.data ?? []}
          data-testid="ticket-list" pagination={{ pageSize: 20 }}
          expandable={{
            expandedRowRender: (r) => (
              <Timeline items={r.handling.map((s) => ({
                color: s.state === "rejected" ? "red" : "blue",
                children: `${when(s.at)} · ${label("tk.step", s.action)} → ${label("tk.state", s.state)}${s.text ? `：${s.text}` : ""}`,
              }))} />
            ),
            rowExpandable: (r) => r.handling.length > 0,
          }}
          columns={[
            { title: t("tk.number"), dataIndex: "ticket_no", render: (v: string) => <span className="mono">{v}</span> },
            { title: t("tk.outlet"), render: (_, r) => `${r.outlet_code} · ${r.workstation_id}` },
            { title: t("tk.category"), render: (_, r) => label("tk.cat", r.category) },
            { title: t("tk.content"), dataIndex: "content", ellipsis: true },
            { title: t("tk.received"), render: (_, r) => when(r.received_at) },
            { title: t("tk.request"), render: (_, r) => <span className="mono">{r.request_number ?? "—"}</span> },
            { title: t("tk.stateCol"), render: (_, r) => <Tag color={STATE_COLOURS[r.state]} data-testid="ticket-state">{label("tk.state", r.state)}</Tag> },
            { title: t("tk.satisfaction"), render: (_, r) => label("tk.outcome", r.satisfaction) || "—" },
          ]}
        />
      </Card>
    </Space>
  );
}
