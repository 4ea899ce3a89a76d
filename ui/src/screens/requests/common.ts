import type { MessageKey } from "../../i18n";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The core's limit (`45m`, `3h`, `4wd`) as a clerk reads it. */
export function limitText(t: T, limit: string): string {
  const m = /^(\d+)(m|h|wd)$/.exec(limit);
  if (!m) return limit;
  const n = Number(m[1]);
  if (m[2] === "m") return t("req.limit.minutes", { n });
  if (m[2] === "h") return t(n === 1 ? "req.limit.hour" : "req.limit.hours", { n });
  return t(n === 1 ? "apps.workingDay" : "apps.workingDays", { n });
}
