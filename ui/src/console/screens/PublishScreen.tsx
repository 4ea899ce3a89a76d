import { useState } from "react";
import { Alert, Button, Card, Form, Input, Select, Table } from "antd";
import type { PublishKind } from "../generated/PublishKind";
import type { PublishReply } from "../generated/PublishReply";
import type { RejectedLine } from "../generated/RejectedLine";
import { call } from "../api";
import { useT } from "../i18n";
import { useLoad, useReport } from "./common";

const KINDS: PublishKind[] = ["tariffs", "calendar", "users", "bills"];

export function PublishScreen() {
  const { t, text } = useT();
  const report = useReport();
  const outlets = useLoad(() => call("GET /outlets", null));
  const [form] = Form.useForm<{ kind: PublishKind; outlet_code: string; body: string }>();
  const [reply, setReply] = useState<PublishReply | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = async (file: File | undefined) => {
    if (file) form.setFieldValue("body", await file.text());
  };
  const publish = async (values: { kind: PublishKind; outlet_code: string; body: string }) => {
    setBusy(true);
    setReply(null);
    try {
      setReply(await call("POST /publish", values));
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t("pub.title")}>
      <Alert type="info" message={t("pub.explain")} style={{ marginBottom: 12 }} />
      <Form form={form} layout="vertical" onFinish={publish} initialValues={{ kind: "tariffs" }}>
        <Form.Item name="kind" label={t("pub.kind")} rules={[{ required: true }]}>
          <Select options={KINDS.map((k) => ({ value: k, label: t(`pub.kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="outlet_code" label={t("pub.outlet")} rules={[{ required: true }]}>
          <Select options={(outlets.data ?? []).map((o) => ({ value: o.code, label: `${o.code} ${o.name}（${o.areas.join("、")}）` }))} />
        </Form.Item>
        <Form.Item label={t("pub.file")}>
          <input type="file" aria-label={t("pub.choose")} accept=".toml,.json,.csv,.txt" onChange={(e) => void choose(e.target.files?.[0])} />
        </Form.Item>
        <Form.Item name="body" label={t("pub.body")} rules={[{ required: true }]}>
          <Input.TextArea rows={8} style={{ fontFamily: "monospace" }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("pub.submit")}
        </Button>
      </Form>
      {reply && (
        <>
          <Alert style={{ marginTop: 12 }} type={reply.rejected.length ? "warning" : "success"} message={t("pub.done", { n: reply.published, areas: reply.areas.join("、") })} />
          {reply.rejected.length > 0 && (
            <Table<RejectedLine>
              style={{ marginTop: 12 }}
              title={() => t("pub.rejected")}
              rowKey="line"
              size="small"
              dataSource={reply.rejected}
              columns={[
                { title: t("pub.line"), dataIndex: "line", width: 80 },
                { title: t("pub.reason"), render: (_, r) => text(r) },
              ]}
            />
          )}
        </>
      )}
    </Card>
  );
}
