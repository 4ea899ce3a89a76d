import { Alert, Descriptions, Space, Tag, Timeline, Typography } from "antd";
import { useEffect, useState } from "react";
import { invoke } from "../api/invoke";
import type { Contact } from "../api/generated/Contact";
import type { Relationship } from "../api/generated/Relationship";
import { useLabels } from "../catalog";
import { yuan } from "../form/money";
import { type MessageKey, useI18n } from "../i18n";
import { outletTime } from "../time";
import { errorText } from "./applications/common";

const OUTCOME_COLOUR: Record<string, string> = { satisfied: "green", fairly_satisfied: "blue", unsatisfied: "red" };

/** The profile's 客户关系 tab: every contact in one timeline, the satisfaction trend, and for a
 *  big customer the account manager and what is open for them. */
export function RelationshipTab({ customerId }: { customerId: string }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [rel, setRel] = useState<Relationship | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    invoke("customer.relationship", { id: customerId }).then(setRel, (e) => setError(errorText(lang, e)));
  }, [customerId, lang]);
  if (error) return <Alert type="error" showIcon message={error} />;
  if (!rel) return null;

  const what = (c: Contact): string => {
    switch (c.kind) {
      case "request": return `${label("request_categories", c.code)} ${c.reference}`;
      case "callback": return `${t("req.act.callback")} ${c.reference} · ${label("callback_outcomes", c.code)}`;
      case "notice": return `${label("notice_kinds", c.code)} · ${yuan(c.amount ?? 0)}`;
      case "disconnection": return c.code === "cut" ? `${t("arrears.disconnected")} · ${yuan(c.amount ?? 0)}` : `${t("arrears.reconnectedAt")} · ${c.reference}`;
      case "inspection": return `${t("req.tab.inspections")} · ${t("rel.defects", { n: Number(c.code) })}`;
      default: return `${t("rel.payment")} ${c.reference} · ${yuan(c.amount ?? 0)}`;
    }
  };
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="relationship">
      {rel.big_customer && (
        <Descriptions size="small" bordered column={4} data-testid="account-manager">
          <Descriptions.Item label={t("field.account_manager")}>{rel.account_manager ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t("rel.openRequests")}>{rel.open.requests}</Descriptions.Item>
          <Descriptions.Item label={t("rel.openDefects")}>{rel.open.defects}</Descriptions.Item>
          <Descriptions.Item label={t("rel.openApplications")}>{rel.open.applications}</Descriptions.Item>
        </Descriptions>
      )}
      <Space wrap data-testid="satisfaction-trend">
        <Typography.Text type="secondary">{t("rel.satisfaction")}</Typography.Text>
        {rel.satisfaction.length === 0 ? "—" : rel.satisfaction.map((s) => (
          <Tag key={s.at} color={OUTCOME_COLOUR[s.outcome]} title={outletTime(s.at)}>{label("callback_outcomes", s.outcome)}</Tag>
        ))}
      </Space>
      <Timeline data-testid="contact-timeline" items={rel.timeline.map((c) => ({
        children: (
          <span>
            {/* An inspection is known by its day, not an instant. */}
            <b>{t(`rel.kind.${c.kind}` as MessageKey)}</b> · {c.kind === "inspection" ? c.at.slice(0, 10) : outletTime(c.at)} · {what(c)}
            {c.note && <div style={{ whiteSpace: "pre-wrap" }}>{c.note}</div>}
          </span>
        ),
      }))} />
      {rel.timeline.length === 0 && <Typography.Text type="secondary">{t("rel.none")}</Typography.Text>}
    </Space>
  );
}
