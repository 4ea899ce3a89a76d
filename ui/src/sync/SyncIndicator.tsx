import { CloudSyncOutlined, DisconnectOutlined, ExclamationCircleOutlined, StopOutlined, SyncOutlined } from "@ant-design/icons";
import { Button, Descriptions, Popover, Progress, Space, Tag, Typography } from "antd";
import type { SyncStatus } from "../api/generated/SyncStatus";
import { yuan } from "../form/money";
import { coreText, useI18n } from "../i18n";
import { useCan } from "../session";
import { outletTime } from "../time";
import { INDICATOR_COLOR, type IndicatorKind, indicatorKind, phaseKey, progressCount, progressPercent, relativeTime } from "./syncState";
import { problemText, useSync } from "./useSync";

const ICONS: Record<IndicatorKind, React.ReactNode> = {
  loading: <CloudSyncOutlined />,
  unavailable: <CloudSyncOutlined />,
  fenced: <StopOutlined />,
  not_enrolled: <DisconnectOutlined />,
  running: <SyncOutlined spin />,
  error: <ExclamationCircleOutlined />,
  pending: <CloudSyncOutlined />,
  synced: <CloudSyncOutlined />,
};

/**
 * The top bar's sync state: one tag that says it plainly (with the details on hover or focus), a
 * bar while a long transfer runs, and "sync now". `outboxPending` is `workstation.status`'s count,
 * shown alone while `sync.status` cannot answer.
 */
export function SyncIndicator({ outboxPending }: { outboxPending: number }) {
  const { t, lang } = useI18n();
  const can = useCan();
  const sync = useSync();
  const { status } = sync;
  const kind = indicatorKind(status, sync.failed);
  const pending = status?.pending_events ?? outboxPending;
  const pendingText = pending > 0 ? t("top.sync.pending", { n: pending }) : null;
  const ago = (stamp: string | null | undefined) => {
    const phrase = stamp ? relativeTime(stamp, sync.checkedAt) : null;
    return phrase ? t(phrase.key, phrase.vars) : null;
  };

  const label =
    kind === "fenced" ? t("sync.fencedShort")
    : kind === "not_enrolled" ? [t("sync.notEnrolled"), pendingText].filter(Boolean).join(" · ")
    : kind === "running" ? t("sync.running")
    : kind === "error" && status?.error ? [t("sync.failedWith", { message: coreText(lang, status.error) }), pendingText].filter(Boolean).join(" · ")
    : kind === "synced" ? t("sync.synced", { ago: ago(status?.last_success_at) ?? t("sync.ago.now") })
    : pendingText ?? t("top.sync.clear");
  // Beside the tag while records wait: when head office last took them.
  const lastSuccess = status?.enrolled && kind !== "synced" && kind !== "fenced"
    ? (status.last_success_at ? t("sync.lastSuccessAgo", { ago: ago(status.last_success_at) ?? "" }) : t("sync.never"))
    : null;
  const percent = progressPercent(status?.progress);
  const canNow = can("sync.now");

  return (
    <Space size={6} data-testid="sync-indicator" data-state={kind}>
      <Popover placement="bottomRight" content={<SyncDetails status={status} kind={kind} outboxPending={outboxPending} ago={ago} />}>
        <Tag icon={ICONS[kind]} color={INDICATOR_COLOR[kind]} data-testid="sync-status" tabIndex={0}
          style={{ maxWidth: 360, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", marginInlineEnd: 0, verticalAlign: "middle" }}>
          {label}
        </Tag>
      </Popover>
      {lastSuccess && <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="sync-last-success">{lastSuccess}</Typography.Text>}
      {status?.running && (
        <span style={{ display: "inline-flex", alignItems: "center", gap: 4 }} data-testid="sync-progress">
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {status.progress ? `${t(phaseKey(status.progress.phase))} ${progressCount(status.progress)}` : t("sync.running")}
          </Typography.Text>
          <Progress size="small" style={{ width: 90, margin: 0 }} percent={percent ?? 100} status="active" showInfo={percent !== null}
            aria-label={t("sync.running")} />
        </span>
      )}
      {canNow && (
        <Button size="small" icon={<SyncOutlined spin={sync.requesting} />} data-testid="sync-now"
          disabled={sync.requesting || status?.running || kind === "fenced"}
          onClick={() => void sync.syncNow()}>
          {t("sync.now")}
        </Button>
      )}
      {sync.nowProblem && (
        <Typography.Text type="warning" style={{ fontSize: 12, maxWidth: 220 }} ellipsis data-testid="sync-now-problem">
          {problemText(lang, sync.nowProblem)}
        </Typography.Text>
      )}
    </Space>
  );
}

/** The details under the tag: every stamp in the outlet's time with how long ago, and what to do. */
function SyncDetails(props: { status: SyncStatus | null; kind: IndicatorKind; outboxPending: number; ago: (s: string | null | undefined) => string | null }) {
  const { t, lang } = useI18n();
  const { status, kind, ago } = props;
  const when = (stamp: string | null | undefined) => (stamp ? (lang === "zh-CN" ? `${outletTime(stamp)}（${ago(stamp)}）` : `${outletTime(stamp)} (${ago(stamp)})`) : "—");
  const hint =
    kind === "fenced" ? t("sync.fencedHint")
    : kind === "not_enrolled" ? t("sync.notEnrolledHint")
    : kind === "error" ? t("sync.failedHint")
    : kind === "unavailable" ? t("sync.unavailable")
    : null;
  return (
    <div style={{ maxWidth: 420 }} data-testid="sync-details">
      {status?.fenced && <Typography.Paragraph strong type="danger">{t("sync.fencedWith", { message: coreText(lang, status.fenced) })}</Typography.Paragraph>}
      {status?.error && kind !== "fenced" && <Typography.Paragraph type="warning">{t("sync.failedWith", { message: coreText(lang, status.error) })}</Typography.Paragraph>}
      {hint && <Typography.Paragraph type="secondary">{hint}</Typography.Paragraph>}
      <Descriptions size="small" column={1} items={[
        ...(status?.head_office_url ? [{ key: "url", label: t("sync.card.url"), children: <span className="mono">{status.head_office_url}</span> }] : []),
        { key: "pending", label: t("sync.pendingCount"), children: status?.pending_events ?? props.outboxPending },
        ...(status && status.pending_payments > 0
          ? [{ key: "payments", label: t("sync.card.pendingPayments"), children: t("sync.card.paymentsValue", { n: status.pending_payments, amount: yuan(status.pending_payments_fen) }) }]
          : []),
        ...(status?.oldest_pending_at ? [{ key: "oldest", label: t("sync.oldestPending"), children: when(status.oldest_pending_at) }] : []),
        ...(status?.enrolled
          ? [
            { key: "success", label: t("sync.lastSuccess"), children: status.last_success_at ? when(status.last_success_at) : t("sync.never") },
            { key: "attempt", label: t("sync.lastAttempt"), children: when(status.last_attempt_at) },
            ...(status.next_attempt_at ? [{ key: "next", label: t("sync.nextAttempt"), children: outletTime(status.next_attempt_at) }] : []),
          ]
          : []),
      ]} />
    </div>
  );
}
