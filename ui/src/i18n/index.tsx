import { createContext, useContext } from "react";
import type { UserMessage } from "../api/generated/UserMessage";
import type { CodeLabel } from "../api/generated/CodeLabel";
import { en } from "./en";
import { type MessageKey, zhCN } from "./zh-CN";

export type Lang = "zh-CN" | "en";
export type { MessageKey };

const catalogs: Record<Lang, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

/** Looks up a message and fills its `{name}` placeholders. */
export function translate(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return catalogs[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** A message from the core, in the interface language. */
export function coreText(lang: Lang, message: Pick<UserMessage, "zh" | "en">): string {
  return lang === "zh-CN" ? message.zh : message.en;
}

export function labelText(lang: Lang, label: CodeLabel | undefined, fallback: string): string {
  return label ? (lang === "zh-CN" ? label.zh : label.en) : fallback;
}

export interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
}

export const I18nContext = createContext<I18n>({
  lang: "zh-CN",
  setLang: () => {},
  t: (key, vars) => translate("zh-CN", key, vars),
});

export const useI18n = () => useContext(I18nContext);
