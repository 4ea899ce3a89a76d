import { Alert, Button, Modal, Space, Spin, Typography } from "antd";
import { useEffect, useState } from "react";
import { invoke } from "../../api/invoke";
import type { PdfFile } from "../../api/generated/PdfFile";
import { useI18n } from "../../i18n";
import { openPdf, savePdf } from "../pdf";
import { PdfFirstPage } from "./Attachments";
import { errorText } from "./common";

/**
 * The acceptance slip (受理回执) as it prints: drawn from the core's PDF, printed through the
 * receipts' PDF path (a browser tab or the system's viewer, both of which print), or saved.
 */
export function SlipDialog(props: { applicationId: string | null; number?: string; onClose: () => void }) {
  const { t, lang } = useI18n();
  const [slip, setSlip] = useState<{ id: string; pdf: PdfFile } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pdf = slip && slip.id === props.applicationId ? slip.pdf : null;

  useEffect(() => {
    const id = props.applicationId;
    if (!id) return;
    invoke("application.slip", { id }).then((p) => { setSlip({ id, pdf: p }); setError(null); }, (e) => setError(errorText(lang, e)));
  }, [props.applicationId, lang]);

  const fail = (e: unknown) => setError(errorText(lang, e));
  return (
    <Modal open={!!props.applicationId} onCancel={props.onClose} width={680} destroyOnHidden
      title={`${t("slip.title")} ${props.number ?? ""}`}
      footer={
        <Space>
          <Button type="primary" autoFocus disabled={!pdf} onClick={() => pdf && openPdf(pdf).catch(fail)} data-testid="slip-print">{t("slip.print")}</Button>
          <Button disabled={!pdf} onClick={() => pdf && savePdf(pdf).catch(fail)} data-testid="slip-save">{t("receipt.save")}</Button>
          <Button onClick={props.onClose} data-testid="slip-close">{t("common.close")}</Button>
        </Space>
      }>
      <div data-testid="slip-preview" style={{ display: "flex", flexDirection: "column", alignItems: "center", gap: 8 }}>
        {pdf ? <PdfFirstPage base64={pdf.base64} width={560} testId="slip-page" /> : !error && <Spin />}
        {pdf && <Typography.Text type="secondary">{t("receipt.pdfSize", { kb: (pdf.bytes / 1024).toFixed(1) })} · {t("slip.printHint")}</Typography.Text>}
      </div>
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 12 }} />}
    </Modal>
  );
}
