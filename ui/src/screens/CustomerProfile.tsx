import { ArrowLeftOutlined, EditOutlined, EyeOutlined, StopOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Descriptions, Space, Spin, Table, Tabs, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { CustomerView } from "../api/generated/CustomerView";
import type { HistoryEntry } from "../api/generated/HistoryEntry";
import { useLabels } from "../catalog";
import { coreText, type MessageKey, useI18n } from "../i18n";
import { useCan } from "../session";
import { CloseCustomerDialog } from "./CloseCustomerDialog";
import { outletTime } from "../time";
import { CustomerFormDrawer } from "./CustomerForm";
import { BillsTab, PaymentsTab } from "./ProfileMoneyTabs";
import { RelationshipTab } from "./RelationshipTab";
import { CustomerApplicationsTab } from "./applications/CustomerApplications";

export function CustomerProfile({ id, onBack }: { id: string; onBack: () => void }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const can = useCan();
  const [view, setView] = useState<CustomerView | null>(null);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [closing, setClosing] = useState(false);
  const [tab, setTab] = useState("details");

  const load = useCallback(async () => {
    try {
      setView(await invoke("customer.get", { id }));
      setHistory((await invoke("customer.history", { id })).entries);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }, [id, lang]);

  useEffect(() => {
    // load sets state only after its awaits, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !editing && !closing) onBack();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editing, closing, onBack]);

  if (error) return <Alert type="error" showIcon message={error} action={<Button onClick={onBack}>{t("profile.back")}</Button>} />;
  if (!view) return <Spin />;
  const c = view.customer;
  const fieldName = (field: string) => (field === "_created" ? t("history.created") : t(`field.${field}` as MessageKey));

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="customer-profile">
      <Space wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={onBack}>
          {t("profile.back")}
        </Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {c.name} <span className="mono">{c.account}</span>
        </Typography.Title>
        {c.status === "closed" && <Tag color="red">{t("profile.closedTag")}</Tag>}
        {c.big_customer && <Tag color="gold">{t("profile.bigCustomer")}</Tag>}
        {c.supply_suspended && <Tag color="orange" data-testid="supply-suspended">{t("profile.supplySuspended")}</Tag>}
        {c.tags.map((tag) => (
          <Tag key={tag}>{tag}</Tag>
        ))}
      </Space>
      <Space>
        <Button icon={<EditOutlined />} disabled={c.status === "closed"} onClick={() => setEditing(true)} data-testid="edit-customer">
          {t("profile.edit")}
        </Button>
        {view.masked && can("customer.reveal") && (
          <Button icon={<EyeOutlined />} onClick={() => invoke("customer.reveal", { id }).then(setView)} data-testid="reveal">
            {t("profile.reveal")}
          </Button>
        )}
        {!view.masked && <Typography.Text type="warning">{t("profile.revealed")}</Typography.Text>}
        <Button danger icon={<StopOutlined />} disabled={c.status === "closed"} onClick={() => setClosing(true)}>
          {t("profile.close")}
        </Button>
      </Space>
      <Card size="small">
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            {
              key: "details",
              label: t("profile.tab.details"),
              children: (
                <Descriptions column={3} size="small" bordered data-testid="customer-details">
                  <Descriptions.Item label={t("field.class")}>{label("customer_classes", c.class)}</Descriptions.Item>
                  <Descriptions.Item label={t("field.id_kind")}>{label("id_kinds", c.id_kind)}</Descriptions.Item>
                  <Descriptions.Item label={t("field.id_number")}>
                    <span className="mono" data-testid="id-number">{c.id_number}</span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t("field.phones")}>
                    <span className="mono" data-testid="phones">{c.phones.join(t("list.comma"))}</span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t("field.supply_area")} span={2}>{c.supply_area}</Descriptions.Item>
                  <Descriptions.Item label={t("field.address")} span={3}>{c.address}</Descriptions.Item>
                  <Descriptions.Item label={t("field.voltage")}>{label("voltages", c.voltage)}</Descriptions.Item>
                  <Descriptions.Item label={t("field.capacity_kva")}>{c.capacity_kva}</Descriptions.Item>
                  <Descriptions.Item label={t("field.tariff_code")}>{c.tariff_code}</Descriptions.Item>
                  <Descriptions.Item label={t("field.payment_method")}>{label("payment_methods", c.payment_method)}</Descriptions.Item>
                  <Descriptions.Item label={t("field.credit_rating")}>{label("credit_ratings", c.credit_rating)}</Descriptions.Item>
                  <Descriptions.Item label={t("field.account_manager")}>{c.account_manager ?? "—"}</Descriptions.Item>
                  <Descriptions.Item label={t("field.meters")} span={3}>
                    {c.meters.map((m) => (
                      <div key={m.number}>
                        <span className="mono">{m.number}</span> · {label("meter_kinds", m.kind)} · ×{m.multiplier}
                      </div>
                    ))}
                  </Descriptions.Item>
                  <Descriptions.Item label={t("field.created_at")}>{outletTime(c.created_at)}</Descriptions.Item>
                  <Descriptions.Item label={t("field.version")}>{c.version}</Descriptions.Item>
                  <Descriptions.Item label={t("field.status")}>{label("customer_statuses", c.status)}</Descriptions.Item>
                  {c.close_reason ? <Descriptions.Item label={t("field.close_reason")} span={3}>{c.close_reason}</Descriptions.Item> : null}
                  {c.notes ? <Descriptions.Item label={t("field.notes")} span={3}>{c.notes}</Descriptions.Item> : null}
                </Descriptions>
              ),
            },
            { key: "bills", label: t("profile.tab.bills"), children: <BillsTab customerId={id} meters={c.meters.map((m) => m.number)} /> },
            { key: "payments", label: t("profile.tab.payments"), children: <PaymentsTab customerId={id} /> },
            ...(can("application.list")
              ? [{ key: "applications", label: t("profile.tab.applications"), children: <CustomerApplicationsTab customerId={id} closed={c.status === "closed"} /> }]
              : []),
            ...(can("customer.relationship")
              ? [{ key: "relationship", label: t("profile.tab.relationship"), children: <RelationshipTab customerId={id} /> }]
              : []),
            {
              key: "history",
              label: t("profile.tab.history"),
              children: (
                <Table<HistoryEntry>
                  size="small"
                  rowKey={(h) => `${h.version}-${h.field}-${h.at}`}
                  dataSource={history ?? []}
                  pagination={{ pageSize: 12 }}
                  data-testid="history"
                  columns={[
                    { title: t("history.at"), dataIndex: "at", width: 170, render: outletTime },
                    { title: t("history.version"), dataIndex: "version", width: 80 },
                    { title: t("history.field"), dataIndex: "field", width: 140, render: fieldName },
                    { title: t("history.old"), dataIndex: "old", ellipsis: true },
                    // A value merged from an edit made at another workstation says so (the core's note).
                    { title: t("history.new"), dataIndex: "new", ellipsis: true, render: (v: string, r) => (r.note
                      ? <>{v} <Tag color="gold" data-testid="history-merged">{coreText(lang, r.note)}</Tag></>
                      : v) },
                    { title: t("history.user"), dataIndex: "user_name", width: 100, render: (v: string | null) => v ?? "—" },
                    { title: t("history.application"), dataIndex: "application_number", width: 150, render: (v: string | null) => (v ? <span className="mono" data-testid="history-application">{v}</span> : "—") },
                    { title: t("history.workstation"), dataIndex: "workstation_id", width: 130, render: (v: string) => <span className="mono">{v.slice(-8)}</span> },
                  ]}
                />
              ),
            },
          ]}
        />
      </Card>
      <CustomerFormDrawer
        open={editing}
        customer={c}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          void load();
        }}
      />
      <CloseCustomerDialog
        open={closing}
        customerId={c.id}
        onClose={() => setClosing(false)}
        onClosed={() => {
          setClosing(false);
          void load();
        }}
      />
    </Space>
  );
}
