import { FilePdfOutlined, PictureOutlined } from "@ant-design/icons";
import { Card, Image, Modal, Spin, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { invoke } from "../../api/invoke";
import type { DocumentView } from "../../api/generated/DocumentView";
import { useLabels } from "../../catalog";
import { useI18n } from "../../i18n";
import { openPdf } from "../pdf";
import { drawFirstPage } from "./pdfPage";

/** A PDF's first page, drawn by pdf.js (lazily loaded) from its base64 bytes. */
export function PdfFirstPage({ base64, width, testId }: { base64: string; width: number; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<"drawing" | "done" | "failed">("drawing");
  useEffect(() => {
    if (!canvas.current) return;
    let live = true;
    drawFirstPage(base64, canvas.current, width).then(
      () => live && setState("done"),
      () => live && setState("failed"),
    );
    return () => {
      live = false;
    };
  }, [base64, width]);
  return (
    <div style={{ position: "relative", minHeight: 60 }}>
      {state === "drawing" && <Spin style={{ position: "absolute", inset: 0, margin: "auto" }} />}
      {state === "failed" && <FilePdfOutlined style={{ fontSize: 48, color: "#cf1322" }} />}
      <canvas ref={canvas} data-testid={testId} data-state={state} style={{ border: "1px solid #eee", display: state === "failed" ? "none" : "block" }} />
    </div>
  );
}

/** One attachment: a thumbnail for a scan (the core's `attachment.thumbnail`), the first page for a PDF. */
export function AttachmentTile({ doc }: { doc: DocumentView }) {
  const { t } = useI18n();
  const { label } = useLabels();
  const [thumb, setThumb] = useState<string | null>(null);
  const [pdf, setPdf] = useState<string | null>(null);
  const [full, setFull] = useState<string | null>(null);
  const isPdf = doc.mime === "application/pdf";
  useEffect(() => {
    if (isPdf) invoke("attachment.content", { sha256: doc.sha256 }).then((c) => setPdf(c.base64), () => {});
    else invoke("attachment.thumbnail", { sha256: doc.sha256 }).then((c) => setThumb(`data:${c.mime};base64,${c.base64}`), () => {});
  }, [doc.sha256, isPdf]);

  async function open() {
    const content = await invoke("attachment.content", { sha256: doc.sha256 });
    if (isPdf) await openPdf({ file_name: doc.file_name.endsWith(".pdf") ? doc.file_name : `${doc.sha256.slice(0, 12)}.pdf`, base64: content.base64, bytes: doc.size_bytes });
    else setFull(`data:${content.mime};base64,${content.base64}`);
  }

  return (
    <Card size="small" hoverable style={{ width: 180 }} onClick={() => void open()} data-testid="attachment" data-sha={doc.sha256}
      cover={
        <div style={{ height: 150, overflow: "hidden", display: "flex", justifyContent: "center", background: "#fafafa" }}>
          {isPdf ? (pdf ? <PdfFirstPage base64={pdf} width={120} testId="attachment-pdf-page" /> : <Spin />)
            : thumb ? <img src={thumb} alt={doc.file_name} style={{ maxHeight: 150, maxWidth: 178 }} data-testid="attachment-thumbnail" />
            : <PictureOutlined style={{ fontSize: 48, color: "#bbb", marginTop: 40 }} />}
        </div>
      }>
      <Card.Meta title={label("document_kinds", doc.kind)} description={
        <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>{doc.file_name} · {(doc.size_bytes / 1024).toFixed(0)} KB</Typography.Text>
      } />
      <Modal open={!!full} onCancel={(e) => { e.stopPropagation(); setFull(null); }} footer={null} width={800} title={doc.file_name}>
        {full && <Image src={full} preview={false} alt={t("app.attachment")} />}
      </Modal>
    </Card>
  );
}
