import { useState } from "react";
import { Alert, Button, Card, Col, Empty, Input, Row, Space, Tag, Typography } from "antd";
import type { QuarantinedEvent } from "../generated/QuarantinedEvent";
import type { EventSide } from "../generated/EventSide";
import type { ResolutionChoice } from "../generated/ResolutionChoice";
import { call } from "../api";
import { useT } from "../i18n";
import { useLoad, useReport, when } from "./common";

/** A payload as indented JSON, or as it is when it does not parse. */
function pretty(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

function Side({ title, side, testId }: { title: string; side: EventSide; testId: string }) {
  const { t } = useT();
  return (
    <Card size="small" title={title} data-testid={testId}>
      {side.hash ? (
        <>
          <Typography.Text type="secondary">
            {side.kind} · {side.entity_id} · {t("q.recordedAt", { at: when(side.recorded_at) })} · {t("q.receivedAt", { at: when(side.received_at) })}
          </Typography.Text>
          <pre style={{ maxHeight: 220, overflow: "auto", background: "#fafafa", padding: 8, margin: "8px 0 0", fontSize: 12 }}>{pretty(side.payload)}</pre>
        </>
      ) : (
        <Typography.Text type="secondary">{t("q.missingStored")}</Typography.Text>
      )}
    </Card>
  );
}

function Item({ item, onResolved }: { item: QuarantinedEvent; onResolved(next: QuarantinedEvent): void }) {
  const { t } = useT();
  const report = useReport();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const resolve = async (choice: ResolutionChoice) => {
    setBusy(true);
    try {
      onResolved(await call("POST /quarantine/{id}/resolve", { choice, note }, { id: item.id }));
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };
  const r = item.resolution;
  return (
    <Card
      data-testid={`quarantine-${item.id}`}
      title={
        <Space>
          <span>
            {item.outlet_code} · {t("q.key")} {item.workstation_id.slice(-12)} / {item.epoch} / {item.seq}
          </span>
          <Tag>{item.incoming.kind}</Tag>
          {r ? (
            <Tag key="resolved" color="success">
              {t("q.resolvedTag")}
            </Tag>
          ) : (
            <Tag key="open" color="error">
              {t("common.open")}
            </Tag>
          )}
        </Space>
      }
    >
      <Row gutter={12}>
        <Col span={12}>
          <Side title={t("q.stored")} side={item.stored} testId="stored-side" />
        </Col>
        <Col span={12}>
          <Side title={t("q.incoming")} side={item.incoming} testId="incoming-side" />
        </Col>
      </Row>
      {r ? (
        <Alert
          style={{ marginTop: 12 }}
          type={r.unfenced ? "success" : "warning"}
          message={t("q.resolved", { by: r.resolved_by, at: when(r.resolved_at), choice: t(`q.choice.${r.choice}`) })}
          description={`${r.unfenced ? t("q.unfenced") : t("q.stillFenced")}${r.note ? ` · ${r.note}` : ""}`}
        />
      ) : (
        <Space direction="vertical" style={{ width: "100%", marginTop: 12 }}>
          <Input aria-label={t("common.note")} placeholder={t("common.note")} value={note} onChange={(e) => setNote(e.target.value)} />
          <Row gutter={12}>
            <Col span={12}>
              <Button block type="primary" loading={busy} onClick={() => resolve("accept_new")}>
                {t("q.acceptNew")}
              </Button>
              <Typography.Paragraph type="secondary" style={{ marginTop: 4 }}>
                {t("q.acceptNewHelp")}
              </Typography.Paragraph>
            </Col>
            <Col span={12}>
              <Button block danger loading={busy} onClick={() => resolve("discard")}>
                {t("q.discard")}
              </Button>
              <Typography.Paragraph type="secondary" style={{ marginTop: 4 }}>
                {t("q.discardHelp")}
              </Typography.Paragraph>
            </Col>
          </Row>
        </Space>
      )}
    </Card>
  );
}

export function QuarantineScreen() {
  const { t } = useT();
  const { data, loading, reload, setData } = useLoad(() => call("GET /quarantine", null));
  return (
    <Card title={t("q.title")} loading={loading} extra={<Button onClick={reload}>{t("common.refresh")}</Button>}>
      <Typography.Paragraph type="secondary">{t("q.explain")}</Typography.Paragraph>
      {data && data.length === 0 && <Empty description={t("q.none")} />}
      <Space direction="vertical" style={{ width: "100%" }}>
        {(data ?? []).map((item) => (
          <Item key={`${item.outlet_code}-${item.id}`} item={item} onResolved={(next) => setData((list) => (list ?? []).map((q) => (q.id === next.id && q.outlet_code === next.outlet_code ? next : q)))} />
        ))}
      </Space>
    </Card>
  );
}
