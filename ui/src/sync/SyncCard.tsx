import { Alert, Button, Card, Descriptions, Form, Input, Progress, Space, Tag, Typography } from "antd";
import { useCallback, useState } from "react";
import type { EnrolArgs } from "../api/generated/EnrolArgs";
import type { SyncStatus } from "../api/generated/SyncStatus";
import { yuan } from "../form/money";
import { coreText, useI18n } from "../i18n";
import { outletTime } from "../time";
import { INDICATOR_COLOR, indicatorKind, progressCount, progressPercent, relativeTime } from "./syncState";
import { problemText, useEnrol, useSync } from "./useSync";

/** Settings, for administrators: whether and where this workstation is enrolled, how sync stands,
 *  and enrolment with head office while it is not. */
export function SyncCard() {
  const { t, lang } = useI18n();
  const sync = useSync();
  const { status } = sync;
  const kind = indicatorKind(status, sync.failed);
  const [enrolled, setEnrolled] = useState(false);
  const onEnrolled = useCallback(() => {
    setEnrolled(true);
    void sync.refresh();
  }, [sync]);
  const ago = (stamp: string | null) => {
    const phrase = stamp ? relativeTime(stamp, sync.checkedAt) : null;
    return stamp && phrase ? `${outletTime(stamp)} · ${t(phrase.key, phrase.vars)}` : t("sync.never");
  };
  const stateText =
    kind === "fenced" ? t("sync.fencedShort")
    : kind === "not_enrolled" ? t("sync.notEnrolled")
    : kind === "unavailable" || kind === "loading" ? t("sync.unavailable")
    : kind === "error" ? t("sync.failed")
    : kind === "running" ? t("sync.running")
    : t("sync.card.enrolled");

  return (
    <Card title={t("sync.card.title")} data-testid="sync-card">
      <Space direction="vertical" style={{ width: "100%" }}>
        <Descriptions size="small" column={1} items={[
          { key: "state", label: t("sync.card.state"), children: <Tag color={INDICATOR_COLOR[kind]} data-testid="sync-card-state">{stateText}</Tag> },
          ...(status ? [
            { key: "url", label: t("sync.card.url"), children: <span className="mono">{status.head_office_url ?? "—"}</span> },
            { key: "outlet", label: t("sync.card.outlet"), children: status.outlet_code },
            { key: "success", label: t("sync.lastSuccess"), children: ago(status.last_success_at) },
            { key: "pending", label: t("sync.pendingCount"), children: status.pending_events },
            { key: "payments", label: t("sync.card.pendingPayments"), children: t("sync.card.paymentsValue", { n: status.pending_payments, amount: yuan(status.pending_payments_fen) }) },
          ] : []),
        ]} />
        {status?.fenced && <Alert type="error" showIcon message={t("sync.fencedWith", { message: coreText(lang, status.fenced) })} description={t("sync.fencedHint")} />}
        {status?.error && !status.fenced && <Alert type="warning" showIcon message={t("sync.failedWith", { message: coreText(lang, status.error) })} />}
        {enrolled && <Alert type="success" showIcon message={t("sync.enrol.done")} data-testid="sync-card-enrolled" />}
        {status && !status.enrolled && <EnrolForm onEnrolled={onEnrolled} />}
      </Space>
    </Card>
  );
}

function EnrolForm({ onEnrolled }: { onEnrolled: (s: SyncStatus) => void }) {
  const { t, lang } = useI18n();
  const { enrol, busy, problem, progress } = useEnrol(onEnrolled);
  const percent = progressPercent(progress);
  return (
    <Form<EnrolArgs> layout="vertical" onFinish={(values) => void enrol({ url: values.url ?? "", code: values.code ?? "", ca_pem: values.ca_pem })} data-testid="sync-enrol-form" disabled={busy}>
      <Typography.Text strong>{t("sync.enrol.title")}</Typography.Text>
      <Typography.Paragraph type="secondary">{t("sync.enrol.hint")}</Typography.Paragraph>
      <Form.Item name="url" label={t("sync.enrol.url")} style={{ marginBottom: 8 }}>
        <Input className="mono" placeholder="https://" autoComplete="url" />
      </Form.Item>
      <Form.Item name="code" label={t("sync.enrol.code")} style={{ marginBottom: 8 }}>
        <Input className="mono" autoComplete="off" />
      </Form.Item>
      <Form.Item name="ca_pem" label={t("sync.enrol.ca")} tooltip={t("sync.enrol.caTitle")} style={{ marginBottom: 8 }}>
        <Input.TextArea className="mono" rows={2} placeholder="-----BEGIN CERTIFICATE-----" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} data-testid="sync-enrol-submit">{t("sync.enrol.submit")}</Button>
      {busy && (
        <div style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{t("sync.enrol.busy")} {progress ? progressCount(progress) : ""}</Typography.Text>
          <Progress percent={percent ?? 100} status="active" showInfo={percent !== null} />
        </div>
      )}
      {problem && <Alert style={{ marginTop: 8 }} type="error" showIcon message={problemText(lang, problem)} data-testid="sync-enrol-error" />}
    </Form>
  );
}
