import { useState } from "react";
import { Alert, Button, Card, Form, Input, Select, Table } from "antd";
import type { PublishKind } from "../generated/PublishKind";
import type { PublishReply } from "../generated/PublishReply";
import type { RejectedLine } from "../generated/RejectedLine";
import { call } from "../api";
import { useT } from "../i18n";
import { useReport } from "./common";

const KINDS: PublishKind[] = ["tariffs", "calendar", "users", "bills"];

export function PublishScreen() {
  const { t, text } = useT();
  const report = useReport();
  const [form] = Form.useForm<{ kind: PublishKind; version: string; body: string }>();
  const kind = Form.useWatch("kind", form);
  const [reply, setReply] = useState<PublishReply | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = async (file: File | undefined) => {
    if (file) form.setFieldValue("body", await file.text());
  };
  const publish = async (values: { kind: PublishKind; version?: string; body: string }) => {
    setBusy(true);
    setReply(null);
    try {
      setReply(await call("POST /publish", { kind: values.kind, version: values.version ?? "", body: values.body }));
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
        {kind === "tariffs" && (
          <Form.Item name="version" label={t("pub.version")} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
        )}
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
          <Alert style={{ marginTop: 12 }} type={reply.rejected.length ? "warning" : "success"} message={t("pub.done", { what: text(reply), n: reply.published })} />
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
