import { Alert, Button, Descriptions, Modal, Radio, Select, Space, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { Layout } from "../api/generated/Layout";
import type { Printer } from "../api/generated/Printer";
import type { ReceiptPreview } from "../api/generated/ReceiptPreview";
import { useLabels } from "../catalog";
import { yuan } from "../form/money";
import { coreText, useI18n } from "../i18n";
import { openPdf, savePdf } from "./pdf";

/** The receipt as it will print, with print (a system printer), save and open. */
export function ReceiptDialog(props: { receiptNo: string | null; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [layout, setLayout] = useState<Layout>("a5");
  const [rendered, setPreview] = useState<ReceiptPreview | null>(null);
  // Not the previous receipt's preview while this one renders.
  const preview = rendered?.doc.receipt_no === props.receiptNo ? rendered : null;
  const [printers, setPrinters] = useState<Printer[]>([]);
  const [printer, setPrinter] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<{ type: "success" | "error"; text: string } | null>(null);

  useEffect(() => {
    if (!props.receiptNo) return;
    // A message belongs to the preview it was about; it goes when the next one arrives.
    invoke("receipt.render", { receipt_no: props.receiptNo, layout })
      .then(setPreview, () => setPreview(null))
      .finally(() => setMessage(null));
  }, [props.receiptNo, layout]);

  useEffect(() => {
    if (!props.receiptNo) return;
    invoke("printer.list", {}).then(
      (list) => {
        setPrinters(list.printers);
        setPrinter((p) => p ?? list.printers.find((x) => x.is_default)?.name ?? list.printers[0]?.name);
      },
      () => setPrinters([]),
    );
  }, [props.receiptNo]);

  const fail = (e: unknown) => setMessage({ type: "error", text: e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e) });
  const refresh = () => props.receiptNo && invoke("receipt.render", { receipt_no: props.receiptNo, layout }).then(setPreview, () => {});

  async function print() {
    if (!props.receiptNo) return;
    try {
      const done = await invoke("receipt.print", { receipt_no: props.receiptNo, layout, printer: printer ?? null });
      setMessage({ type: "success", text: t(done.duplicate ? "receipt.printedDuplicate" : "receipt.printed", { job: done.job }) });
      refresh();
    } catch (e) {
      fail(e);
    }
  }

  async function save() {
    if (!props.receiptNo || !preview) return;
    try {
      const path = await savePdf(preview.pdf);
      if (path) await invoke("receipt.save", { receipt_no: props.receiptNo, layout, path });
      setMessage({ type: "success", text: t("receipt.saved") });
      refresh();
    } catch (e) {
      fail(e);
    }
  }

  const doc = preview?.doc;
  // The paper is Chinese; the preview speaks the interface's language, and marks a voided or
  // corrected receipt as its PDF does.
  const title = doc ? t(`receipt.kind.${doc.kind}`) : t("receipt.title");
  const status = doc && doc.status !== "posted" ? t(`receipt.status.${doc.status}`) : null;
  const tenderLabel = (x: { kind: string; label: string }) => (lang === "zh-CN" ? x.label : label("tender_kinds", x.kind));
  return (
    <Modal open={!!props.receiptNo} onCancel={props.onClose} width={720} title={doc ? `${title} ${doc.receipt_no}` : t("receipt.title")}
      footer={
        <Space>
          <Select aria-label={t("receipt.printer")} style={{ width: 200 }} value={printer} onChange={setPrinter} placeholder={t("receipt.noPrinter")}
            options={printers.map((p) => ({ value: p.name, label: p.is_default ? `${p.name} (${t("receipt.default")})` : p.name }))} />
          <Button type="primary" onClick={print} autoFocus>{t("receipt.print")}</Button>
          <Button onClick={save}>{t("receipt.save")}</Button>
          {preview && <Button onClick={() => openPdf(preview.pdf).catch(fail)}>{t("receipt.open")}</Button>}
          <Button onClick={props.onClose}>{t("common.close")}</Button>
        </Space>
      }>
      <Radio.Group value={layout} onChange={(e) => setLayout(e.target.value)} style={{ marginBottom: 12 }}>
        <Radio.Button value="a5">A5</Radio.Button>
        <Radio.Button value="roll80">80mm</Radio.Button>
      </Radio.Group>
      {doc && (
        <div className="receipt-preview" data-testid="receipt-preview">
          <Typography.Title level={5} style={{ textAlign: "center", margin: 0 }}>{doc.company}</Typography.Title>
          <Typography.Title level={4} style={{ textAlign: "center", marginTop: 4 }}>
            {title}{doc.duplicate && ` · ${t("receipt.duplicate")}`}
            {status && <Tag color="red" style={{ marginLeft: 8, fontSize: 16, padding: "2px 8px" }} data-testid="receipt-status">{status}</Tag>}
          </Typography.Title>
          <Descriptions size="small" column={2} items={[
            { key: "no", label: t("receipt.no"), children: doc.receipt_no },
            { key: "at", label: t("receipt.at"), children: doc.posted_at },
            ...(doc.business_date ? [{ key: "date", label: t("receipt.businessDate"), children: doc.business_date }] : []),
            { key: "clerk", label: t("receipt.clerk"), children: doc.clerk },
            { key: "account", label: t("col.account"), children: `${doc.account} ${doc.name}` },
          ]} />
          <Table size="small" pagination={false} rowKey="period" dataSource={doc.lines} columns={[
            { title: t("bill.period"), dataIndex: "period" },
            { title: "kWh", dataIndex: "kwh", align: "right" },
            { title: t("bill.amount"), dataIndex: "amount", align: "right", render: yuan },
            { title: t("bill.lateFee"), dataIndex: "late_fee", align: "right", render: yuan },
          ]} />
          <Descriptions size="small" column={2} style={{ marginTop: 8 }} items={[
            { key: "tenders", label: t("pay.tenders"), children: doc.tenders.map((x) => `${tenderLabel(x)} ¥${yuan(x.amount)}`).join(t("common.listSep")) },
            { key: "amount", label: t("pay.amount"), children: `¥${yuan(doc.amount)}` },
            { key: "change", label: t("pay.change"), children: `¥${yuan(doc.change)}` },
            { key: "prepaid", label: t("pay.prepaidAfter"), children: `¥${yuan(doc.prepaid_after)}` },
          ]} />
          <Typography.Text type="secondary">{t("receipt.pdfSize", { kb: ((preview?.pdf.bytes ?? 0) / 1024).toFixed(1) })}</Typography.Text>
        </div>
      )}
      {message && <Alert style={{ marginTop: 12 }} type={message.type} message={message.text} />}
    </Modal>
  );
}
