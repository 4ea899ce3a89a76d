import { createContext, useContext } from "react";
import type { Catalog } from "./api/generated/Catalog";
import type { CodeLabel } from "./api/generated/CodeLabel";
import { labelText, useI18n } from "./i18n";

/** The coded fields' labels, from the core (`system.catalog`). */
export const CatalogContext = createContext<Catalog | null>(null);

/** `label("customer_classes", "residential")` → 居民 or Residential. */
export function useLabels() {
  const catalog = useContext(CatalogContext);
  const { lang } = useI18n();
  const label = (list: keyof Catalog, code: string) => labelText(lang, catalog?.[list].find((l) => l.code === code), code);
  const options = (list: keyof Catalog) =>
    (catalog?.[list] ?? []).map((l: CodeLabel) => ({ value: l.code, label: labelText(lang, l, l.code) }));
  return { label, options };
}
