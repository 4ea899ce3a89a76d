import type { PdfFile } from "../api/generated/PdfFile";
import { chooseFile, inDesktopApp, openPdfInViewer } from "../api/invoke";

function bytes(file: PdfFile): Uint8Array {
  const raw = atob(file.base64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Opens a PDF where it can be read and printed: in a browser in a new tab, in the desktop app in the system's PDF viewer. */
export async function openPdf(file: PdfFile): Promise<void> {
  if (inDesktopApp()) {
    await openPdfInViewer(file.file_name, file.base64);
    return;
  }
  const url = URL.createObjectURL(new Blob([bytes(file) as BlobPart], { type: "application/pdf" }));
  window.open(url, "_blank");
}

/** Downloads a PDF in a browser; in the desktop app asks for a path with the native dialog. */
export async function savePdf(file: PdfFile): Promise<string | null> {
  if (inDesktopApp()) return chooseFile("save-pdf", file.file_name);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes(file) as BlobPart], { type: "application/pdf" }));
  a.download = file.file_name;
  a.click();
  return null;
}
