import { useState } from "react";
import { Alert, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Popconfirm, Space, Table, Tag, Typography } from "antd";
import type { OutletSummary } from "../generated/OutletSummary";
import type { OutletDetail } from "../generated/OutletDetail";
import type { NewCodeReply } from "../generated/NewCodeReply";
import { call } from "../api";
import { useT } from "../i18n";
import { duration, useLoad, useReport, when } from "./common";

export function OutletsScreen() {
  const { t, lang } = useT();
  const report = useReport();
  const { data, loading, reload } = useLoad(() => call("GET /outlets", null));
  const [open, setOpen] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm<{ code: string; name: string; areas: string }>();

  if (open) return <OutletScreen code={open} onBack={() => (setOpen(null), reload())} />;

  const lag = (o: OutletSummary) => (o.lag_seconds === null ? t("common.never") : t("common.lag", { d: duration(o.lag_seconds, lang) }));
  const add = async () => {
    const v = await form.validateFields();
    try {
      await call("POST /outlets", { code: v.code.trim(), name: v.name.trim(), areas: v.areas.split(/[,，]/).map((a) => a.trim()).filter(Boolean) });
      setAdding(false);
      form.resetFields();
      reload();
    } catch (e) {
      report(e);
    }
  };

  return (
    <Card
      title={t("nav.outlets")}
      extra={
        <Space>
          <Button onClick={() => setAdding(true)}>{t("outlets.add")}</Button>
          <Button onClick={reload}>{t("common.refresh")}</Button>
        </Space>
      }
    >
      <Table<OutletSummary>
        rowKey="code"
        size="small"
        loading={loading}
        dataSource={data ?? []}
        pagination={false}
        onRow={(o) => ({ onClick: () => setOpen(o.code), onKeyDown: (e) => e.key === "Enter" && setOpen(o.code), tabIndex: 0, style: { cursor: "pointer" } })}
        columns={[
          { title: t("outlets.code"), dataIndex: "code", render: (code: string) => (
              <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setOpen(code)}>
                {code}
              </Button>
            ),
          },
          { title: t("outlets.name"), dataIndex: "name" },
          { title: t("outlets.areas"), dataIndex: "areas", render: (areas: string[]) => areas.join("、") },
          { title: t("outlets.workstations"), dataIndex: "workstations" },
          { title: t("outlets.lastPush"), render: (_, o) => <span title={when(o.last_push_at)}>{lag(o)}</span> },
          { title: t("outlets.missing"), dataIndex: "missing_events" },
          { title: t("outlets.quarantined"), dataIndex: "quarantined" },
          { title: t("outlets.late"), dataIndex: "late_money_open" },
          {
            title: t("outlets.health"),
            render: (_, o) =>
              o.fenced > 0 || o.quarantined > 0 || o.missing_events > 0 ? (
                <Tag color="red">{t("outlets.attention")}</Tag>
              ) : (
                <Tag color="green">{t("outlets.healthy")}</Tag>
              ),
          },
        ]}
      />
      <Modal open={adding} title={t("outlets.add")} onOk={add} onCancel={() => setAdding(false)} destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="code" label={t("outlets.code")} rules={[{ required: true }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item name="name" label={t("outlets.name")} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="areas" label={t("outlets.areas")} extra={t("outlets.areasHint")} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

function OutletScreen({ code, onBack }: { code: string; onBack(): void }) {
  const { t, lang } = useT();
  const report = useReport();
  const { data, loading, reload } = useLoad<OutletDetail>(() => call("GET /outlets/{code}", null, { code }));
  const [counter, setCounter] = useState<number | null>(1);
  const [made, setMade] = useState<NewCodeReply | null>(null);

  const createCode = async () => {
    try {
      setMade(await call("POST /outlets/{code}/codes", { counter_no: counter ?? 0 }, { code }));
      reload();
    } catch (e) {
      report(e);
    }
  };
  const revoke = async (id: string) => {
    try {
      await call("POST /workstations/{id}/revoke", null, { id });
      reload();
    } catch (e) {
      report(e);
    }
  };
  const o = data?.outlet;

  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Button onClick={onBack} autoFocus>
        {t("outlet.back")}
      </Button>
      <Card title={o ? t("outlet.title", { name: o.name, code: o.code }) : code} loading={loading} extra={<Button onClick={reload}>{t("common.refresh")}</Button>}>
        {o && (
          <Descriptions size="small" column={4}>
            <Descriptions.Item label={t("outlets.areas")}>{o.areas.join("、")}</Descriptions.Item>
            <Descriptions.Item label={t("outlets.lastPush")}>
              {o.lag_seconds === null ? t("common.never") : `${when(o.last_push_at)}（${t("common.lag", { d: duration(o.lag_seconds, lang) })}）`}
            </Descriptions.Item>
            <Descriptions.Item label={t("outlets.missing")}>{o.missing_events}</Descriptions.Item>
            <Descriptions.Item label={t("outlets.quarantined")}>{o.quarantined}</Descriptions.Item>
          </Descriptions>
        )}
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={data?.workstations ?? []}
          locale={{ emptyText: t("ws.none") }}
          data-testid="workstations"
          columns={[
            { title: t("ws.counter"), dataIndex: "counter_no", width: 70 },
            { title: t("ws.id"), dataIndex: "id", render: (id: string) => <Typography.Text code>{id.slice(-12)}</Typography.Text> },
            { title: t("ws.host"), dataIndex: "hostname" },
            { title: t("ws.version"), dataIndex: "app_version" },
            { title: t("ws.events"), dataIndex: "events" },
            {
              title: t("ws.series"),
              render: (_, w) => w.series.map((s) => `${s.epoch}:${s.contiguous_through}/${s.highest}`).join(" "),
            },
            {
              title: t("ws.gaps"),
              render: (_, w) => (w.gaps.length ? w.gaps.map((g) => `${g.epoch}:${g.from_seq}–${g.to_seq}`).join(" ") : t("common.none")),
            },
            { title: t("outlets.lastPush"), render: (_, w) => (w.lag_seconds === null ? t("common.never") : t("common.lag", { d: duration(w.lag_seconds, lang) })) },
            {
              title: t("ws.state"),
              render: (_, w) =>
                w.revoked_at ? (
                  <Tag>{t("ws.revoked")}</Tag>
                ) : w.fenced ? (
                  <Tag color="red">{t("ws.fenced", { reason: w.fenced })}</Tag>
                ) : (
                  <Tag color="green">{t("ws.active")}</Tag>
                ),
            },
            {
              title: "",
              render: (_, w) =>
                !w.revoked_at && (
                  <Popconfirm title={t("ws.revokeConfirm")} onConfirm={() => revoke(w.id)}>
                    <Button danger size="small">
                      {t("ws.revoke")}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <Card title={t("codes.title")}>
        <Space>
          <label htmlFor="counter-no">{t("codes.counter")}</label>
          <InputNumber id="counter-no" min={1} max={99} value={counter} onChange={setCounter} />
          <Button type="primary" onClick={createCode}>
            {t("codes.create")}
          </Button>
        </Space>
        {made && (
          <Alert
            style={{ marginTop: 12 }}
            type="success"
            message={t("codes.created")}
            description={
              <>
                <Typography.Title level={3} copyable data-testid="enrol-code" style={{ margin: 0, fontFamily: "monospace" }}>
                  {made.code}
                </Typography.Title>
                {t("codes.createdHint", { expires: when(made.expires_at) })}
              </>
            }
          />
        )}
        <Table
          style={{ marginTop: 12 }}
          rowKey={(c) => `${c.created_at}-${c.counter_no}`}
          size="small"
          pagination={false}
          dataSource={data?.codes ?? []}
          columns={[
            { title: t("codes.counter"), dataIndex: "counter_no" },
            { title: t("codes.made"), dataIndex: "created_at", render: when },
            { title: t("codes.expires"), dataIndex: "expires_at", render: when },
            { title: "", dataIndex: "used_by", render: (ws: string | null) => (ws ? t("codes.used", { ws: ws.slice(-12) }) : t("codes.unused")) },
          ]}
        />
      </Card>
    </Space>
  );
}
