// The console's strings, the workstation's way (src/i18n): typed keys, `{name}` placeholders,
// zh-CN by default, a missing English key a type error.
import { createContext, useContext } from "react";
import type { Lang } from "../../i18n";
import { consoleEn } from "./en";
import { type ConsoleKey, consoleZh } from "./zh-CN";

export type { Lang, ConsoleKey };

const catalogs: Record<Lang, Record<ConsoleKey, string>> = { "zh-CN": consoleZh, en: consoleEn };

export function translate(lang: Lang, key: ConsoleKey, vars: Record<string, string | number> = {}): string {
  return catalogs[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

export interface ConsoleI18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: ConsoleKey, vars?: Record<string, string | number>): string;
  /** A message from head office in the interface language. */
  text(message: { zh: string; en: string }): string;
}

export const ConsoleI18nContext = createContext<ConsoleI18n>({
  lang: "zh-CN",
  setLang: () => {},
  t: (key, vars) => translate("zh-CN", key, vars),
  text: (m) => m.zh,
});

export const useT = () => useContext(ConsoleI18nContext);
