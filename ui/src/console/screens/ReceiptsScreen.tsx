import { useState } from "react";
import { Alert, Button, Card, Descriptions, Input, Space, Table } from "antd";
import type { ReceiptRecord } from "../generated/ReceiptRecord";
import type { VerifyReply } from "../generated/VerifyReply";
import { call } from "../api";
import { useT } from "../i18n";
import { useReport, when, yuan } from "./common";

function RecordTable({ rows }: { rows: ReceiptRecord[] }) {
  const { t } = useT();
  return (
    <Table<ReceiptRecord>
      rowKey="receipt_no"
      size="small"
      pagination={false}
      dataSource={rows}
      locale={{ emptyText: t("rc.none") }}
      columns={[
        { title: t("rc.receipt"), dataIndex: "receipt_no" },
        { title: t("rc.outlet"), dataIndex: "outlet_code" },
        { title: t("rc.account"), dataIndex: "account" },
        { title: t("rc.customer"), dataIndex: "customer_name" },
        { title: t("rc.amount"), dataIndex: "amount", align: "right", render: yuan },
        { title: t("rc.lateFee"), dataIndex: "late_fee", align: "right", render: yuan },
        { title: t("rc.posted"), dataIndex: "posted_at", render: when },
      ]}
    />
  );
}

export function ReceiptsScreen() {
  const { t, text } = useT();
  const report = useReport();
  const [number, setNumber] = useState("");
  const [found, setFound] = useState<ReceiptRecord[] | null>(null);
  const [code, setCode] = useState("");
  const [verdict, setVerdict] = useState<VerifyReply | null>(null);

  const find = async () => {
    try {
      setFound(await call("POST /receipts/lookup", { receipt_no: number }));
    } catch (e) {
      report(e);
    }
  };
  const verify = async () => {
    try {
      setVerdict(await call("POST /receipts/verify", { code }));
    } catch (e) {
      report(e);
    }
  };
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Card title={t("rc.lookup")}>
        <Space.Compact style={{ width: 480 }}>
          <Input aria-label={t("rc.lookup")} placeholder={t("rc.lookupPlaceholder")} value={number} onChange={(e) => setNumber(e.target.value)} onPressEnter={find} />
          <Button type="primary" onClick={find}>
            {t("rc.find")}
          </Button>
        </Space.Compact>
        {found && <RecordTable rows={found} />}
      </Card>
      <Card title={t("rc.verify")}>
        <Space.Compact style={{ width: "100%" }}>
          <Input aria-label={t("rc.verify")} placeholder={t("rc.verifyPlaceholder")} value={code} onChange={(e) => setCode(e.target.value)} onPressEnter={verify} />
          <Button type="primary" onClick={verify}>
            {t("rc.check")}
          </Button>
        </Space.Compact>
        {verdict && (
          <div style={{ marginTop: 12 }} data-testid="verdict">
            {verdict.valid ? (
              <Alert type="success" message={t("rc.valid", { outlet: verdict.outlet_code ?? "?", ws: (verdict.workstation_id ?? "?").slice(-12) })} />
            ) : (
              <Alert type="error" message={t("rc.invalid")} description={verdict.error ? text(verdict.error) : undefined} />
            )}
            {verdict.fields && (
              <Descriptions size="small" column={3} style={{ marginTop: 12 }}>
                <Descriptions.Item label={t("rc.receipt")}>{verdict.fields.receipt_no}</Descriptions.Item>
                <Descriptions.Item label={t("rc.account")}>{verdict.fields.account}</Descriptions.Item>
                <Descriptions.Item label={t("rc.amount")}>{yuan(verdict.fields.amount)}</Descriptions.Item>
              </Descriptions>
            )}
            {verdict.valid && verdict.matches_record === true && <Alert type="success" message={t("rc.matches")} />}
            {verdict.valid && verdict.matches_record === false && <Alert type="error" message={t("rc.differs")} />}
            {verdict.valid && verdict.matches_record === null && <Alert type="warning" message={t("rc.notReceived")} />}
            {verdict.record && <RecordTable rows={[verdict.record]} />}
          </div>
        )}
      </Card>
    </Space>
  );
}
