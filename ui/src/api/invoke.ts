// The UI's one way to the core. Inside the desktop app it goes through Tauri IPC; in a browser
// (`hall serve`) it posts the same JSON over loopback HTTP. No other module knows Tauri exists.
import type { ApiError } from "./generated/ApiError";
import type { CommandName, Commands } from "./generated/commands";
import type { Reply } from "./generated/Reply";

export type Args<C extends CommandName> = Commands[C]["args"];
export type Result<C extends CommandName> = Commands[C]["result"];

/** A command the core refused: its kind and its messages in both languages. */
export class CommandError extends Error {
  constructor(readonly error: ApiError) {
    super(error.messages.map((m) => `${m.code}: ${m.en}`).join("; "));
  }
  get code(): string {
    return this.error.messages[0]?.code ?? "";
  }
}

/** Sends one serialised request and returns the serialised reply. */
export type Transport = (body: string, token: string | null) => Promise<Reply>;

export const httpTransport: Transport = async (body, token) => {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch("/api/invoke", { method: "POST", headers, body });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as Reply;
};

export const tauriTransport: Transport = async (body, token) => {
  const { invoke } = await import("@tauri-apps/api/core");
  return invoke<Reply>("dispatch", { body, token });
};

export function inDesktopApp(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** Codes after which the session cannot continue as it is. */
const SESSION_CODES = new Set(["session.locked", "session.expired", "session.required"]);

export interface Client {
  invoke<C extends CommandName>(cmd: C, args: Args<C>): Promise<Result<C>>;
  setToken(token: string | null): void;
  token(): string | null;
  /** Called when a command fails because the session is locked or has ended. */
  onSessionProblem(listener: (code: string) => void): void;
}

export function createClient(transport: Transport, storage?: Pick<Storage, "getItem" | "setItem" | "removeItem">): Client {
  let token = storage?.getItem("hall.token") ?? null;
  let listener: (code: string) => void = () => {};
  return {
    async invoke(cmd, args) {
      const reply = await transport(JSON.stringify({ cmd, args }), token);
      if (reply.error) {
        const error = new CommandError(reply.error);
        if (SESSION_CODES.has(error.code)) listener(error.code);
        throw error;
      }
      return reply.ok as never;
    },
    setToken(next) {
      token = next;
      if (next) storage?.setItem("hall.token", next);
      else storage?.removeItem("hall.token");
    },
    token: () => token,
    onSessionProblem(next) {
      listener = next;
    },
  };
}

export const client: Client = createClient(
  inDesktopApp() ? tauriTransport : httpTransport,
  typeof sessionStorage === "undefined" ? undefined : sessionStorage,
);

export const invoke = client.invoke;

/**
 * A native file dialog in the desktop app; in a browser there is none, and the caller asks for a
 * path instead (`hall serve` runs on the same machine). Returns null when cancelled or unavailable.
 */
export async function chooseFile(purpose: "open" | "save" | "save-pdf" | "attach" | "calendar", suggested?: string): Promise<string | null> {
  if (!inDesktopApp()) return null;
  const { invoke: tauriInvoke } = await import("@tauri-apps/api/core");
  return tauriInvoke<string | null>("choose_file", { purpose, suggested: suggested ?? null });
}

/** A folder chosen in the native dialog (desktop app only); null if cancelled or in a browser. */
export async function chooseDirectory(): Promise<string | null> {
  if (!inDesktopApp()) return null;
  const { invoke: tauriInvoke } = await import("@tauri-apps/api/core");
  return tauriInvoke<string | null>("choose_directory", {});
}

/** Opens a PDF in the system's viewer (desktop app only); returns the path written, or null in a browser. */
export async function openPdfInViewer(fileName: string, base64: string): Promise<string | null> {
  if (!inDesktopApp()) return null;
  const { invoke: tauriInvoke } = await import("@tauri-apps/api/core");
  return tauriInvoke<string>("open_pdf", { fileName, base64 });
}
