import { createContext, useContext } from "react";
import { CommandError, chooseFile, inDesktopApp, invoke } from "../../api/invoke";
import type { ApplicationKind } from "../../api/generated/ApplicationKind";
import type { AttachmentInfo } from "../../api/generated/AttachmentInfo";
import { coreText, type Lang, type MessageKey } from "../../i18n";

/** The kinds that create a customer: no existing customer, the applicant becomes one. */
export const NEW_CONNECTIONS: ApplicationKind[] = ["residential_new", "low_voltage_new", "high_voltage_single", "high_voltage_dual"];

/** Every message of a refusal in the user's language (a form's refusal may name several fields). */
export function errorText(lang: Lang, e: unknown): string {
  if (e instanceof CommandError) return e.error.messages.map((m) => coreText(lang, m)).join(lang === "zh-CN" ? "；" : "; ");
  return String(e);
}

/** Working days from the core's hundredths of a day, as a clerk reads them. */
export const days = (centidays: number | null | undefined) => (centidays == null ? "—" : (centidays / 100).toFixed(centidays % 100 === 0 ? 0 : 1));

/** "1 working day", "3 working days" (Chinese has one form). */
export const workingDays = (t: (key: MessageKey, vars?: Record<string, string | number>) => string, n: number) =>
  t(n === 1 ? "apps.workingDay" : "apps.workingDays", { n });

/** The shell's way to open an application or the intake wizard from another section. */
export interface AppNavigation {
  openApplication(id: string): void;
  startIntake(customerId?: string): void;
}
export const AppNavContext = createContext<AppNavigation>({ openApplication: () => {}, startIntake: () => {} });
export const useAppNav = () => useContext(AppNavContext);

/** Base64 of a file's bytes, in chunks (a scan of a few MB would overflow one `apply`). */
export async function fileBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let raw = "";
  for (let i = 0; i < bytes.length; i += 0x8000) raw += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(raw);
}

/**
 * A document in, stored by the core: in the desktop app the shell's file dialog gives a path the
 * core reads; in a browser a file input gives the bytes. The core reads the type from the bytes
 * and refuses what is not a PDF, JPEG or PNG. Returns null when the clerk cancelled.
 */
export async function pickAttachment(): Promise<AttachmentInfo | null> {
  if (inDesktopApp()) {
    const path = await chooseFile("attach");
    if (!path) return null;
    const name = path.split(/[\\/]/).pop() ?? path;
    return invoke("attachment.add", { file_name: name, source: { path } });
  }
  const file = await browserFile();
  if (!file) return null;
  return invoke("attachment.add", { file_name: file.name, source: { base64: await fileBase64(file) } });
}

function browserFile(): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";
    input.dataset.testid = "attachment-input";
    input.style.display = "none";
    input.addEventListener("change", () => {
      resolve(input.files?.[0] ?? null);
      input.remove();
    });
    input.addEventListener("cancel", () => {
      resolve(null);
      input.remove();
    });
    document.body.appendChild(input);
    input.click();
  });
}
