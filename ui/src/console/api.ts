// The console's one way to head office: JSON over HTTPS to `/console/api`, typed by the endpoint
// table generated from head-office/src/console/types.rs.
import type { ConsoleErrorBody } from "./generated/ConsoleErrorBody";
import type { Endpoint, Endpoints } from "./generated/endpoints";

/** A refusal from head office: its code and message in both languages. */
export class ConsoleError extends Error {
  constructor(readonly status: number, readonly body: ConsoleErrorBody) {
    super(`${body.code}: ${body.en}`);
  }
}

const TOKEN_KEY = "hall.console.token";
let token: string | null = sessionStorage.getItem(TOKEN_KEY);
let onSignedOut: () => void = () => {};

export function setToken(next: string | null) {
  token = next;
  if (next) sessionStorage.setItem(TOKEN_KEY, next);
  else sessionStorage.removeItem(TOKEN_KEY);
}
export const hasToken = () => token !== null;
export function onSessionEnded(listener: () => void) {
  onSignedOut = listener;
}

/** Calls `endpoint` (`"POST /quarantine/{id}/resolve"`), filling `{name}` from `params`. */
export async function call<E extends Endpoint>(
  endpoint: E,
  body: Endpoints[E]["body"],
  params: Record<string, string | number> = {},
): Promise<Endpoints[E]["result"]> {
  const [method, template] = endpoint.split(" ") as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`api${path}`, { method, headers, body: method === "GET" ? undefined : JSON.stringify(body) });
  const reply = await response.json().catch(() => null);
  if (!response.ok) {
    const error: ConsoleErrorBody = reply?.code
      ? reply
      : { code: `http.${response.status}`, zh: `总部服务器错误（${response.status}）`, en: `Head office error (${response.status})` };
    if (response.status === 401 && endpoint !== "POST /login") {
      setToken(null);
      onSignedOut();
    }
    throw new ConsoleError(response.status, error);
  }
  return reply as Endpoints[E]["result"];
}
