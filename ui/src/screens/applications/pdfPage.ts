// The first page of a PDF drawn on a canvas by pdf.js, loaded only when a PDF is shown. Its worker
// is a file of this app ('self' in the CSP); no eval, no fonts fetched from elsewhere.
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";

function bytes(base64: string): Uint8Array {
  const raw = atob(base64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Draws page 1 of the PDF into `canvas`, `width` CSS pixels wide; returns the page count. */
export async function drawFirstPage(base64: string, canvas: HTMLCanvasElement, width: number): Promise<number> {
  const pdfjs = await import("pdfjs-dist");
  pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
  const doc = await pdfjs.getDocument({ data: bytes(base64), isEvalSupported: false }).promise;
  try {
    const page = await doc.getPage(1);
    const unscaled = page.getViewport({ scale: 1 });
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: (width / unscaled.width) * ratio });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
    await page.render({ canvas, viewport }).promise;
    return doc.numPages;
  } finally {
    void doc.destroy();
  }
}
