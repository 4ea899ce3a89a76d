// The customer form's logic, apart from its widgets: form values to the core's draft and back,
// and the core's errors to the fields they concern.
import type { ApiError } from "../api/generated/ApiError";
import type { Customer } from "../api/generated/Customer";
import type { CustomerDraft } from "../api/generated/CustomerDraft";
import type { MeterKind } from "../api/generated/MeterKind";
import { coreText, type Lang } from "../i18n";

export interface MeterValues {
  number: string;
  kind: MeterKind;
  multiplier: number;
}

export type CustomerFormValues = Omit<CustomerDraft, "phones" | "tags" | "account_manager" | "meters" | "capacity_kva"> & {
  /** Phones as the clerk types them, separated by commas. */
  phones: string;
  tags: string;
  account_manager: string;
  capacity_kva: number | null;
  meters: MeterValues[];
};

export const FORM_FIELDS = [
  "account", "name", "class", "id_kind", "id_number", "phones", "address", "supply_area", "voltage", "capacity_kva",
  "tariff_code", "payment_method", "credit_rating", "big_customer", "account_manager", "tags", "notes", "meters",
] as const;

export function emptyValues(): CustomerFormValues {
  return {
    account: "",
    name: "",
    class: "residential",
    id_kind: "resident_id",
    id_number: "",
    phones: "",
    address: "",
    supply_area: "",
    voltage: "220V",
    capacity_kva: 8,
    tariff_code: "ZJ-RES-TIER",
    payment_method: "counter",
    credit_rating: "A",
    big_customer: false,
    account_manager: "",
    tags: "",
    notes: "",
    meters: [{ number: "", kind: "single_phase", multiplier: 1 }],
  };
}

/** Splits a typed list on commas (either width), semicolons or spaces; empty parts are dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[,，;；、\s]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function fromCustomer(c: Customer): CustomerFormValues {
  return {
    account: c.account,
    name: c.name,
    class: c.class,
    id_kind: c.id_kind,
    id_number: c.id_number,
    phones: c.phones.join(", "),
    address: c.address,
    supply_area: c.supply_area,
    voltage: c.voltage,
    capacity_kva: c.capacity_kva,
    tariff_code: c.tariff_code,
    payment_method: c.payment_method,
    credit_rating: c.credit_rating,
    big_customer: c.big_customer,
    account_manager: c.account_manager ?? "",
    tags: c.tags.join(", "),
    notes: c.notes,
    meters: c.meters.map((m) => ({ ...m })),
  };
}

export function toDraft(v: CustomerFormValues): CustomerDraft {
  return {
    account: v.account.trim(),
    name: v.name,
    class: v.class,
    id_kind: v.id_kind,
    id_number: v.id_number,
    phones: splitList(v.phones),
    address: v.address,
    supply_area: v.supply_area,
    voltage: v.voltage,
    // An empty capacity goes to the core as 0, which it refuses with a message at the field.
    capacity_kva: v.capacity_kva ?? 0,
    tariff_code: v.tariff_code,
    payment_method: v.payment_method,
    credit_rating: v.credit_rating,
    big_customer: v.big_customer,
    account_manager: v.account_manager.trim() === "" ? null : v.account_manager.trim(),
    tags: splitList(v.tags),
    notes: v.notes,
    meters: v.meters
      .filter((m) => m.number.trim() !== "")
      .map((m) => ({ number: m.number.trim(), kind: m.kind, multiplier: Number(m.multiplier) || 0 })),
  };
}

export interface PlacedErrors {
  /** Messages for fields of the form, in the interface language, grouped by field. */
  fields: Array<{ name: string; errors: string[] }>;
  /** Messages that concern no field of the form. */
  general: string[];
}

/** Puts each of the core's messages at its field. */
export function placeErrors(error: ApiError, lang: Lang): PlacedErrors {
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  for (const message of error.messages) {
    const field = message.field;
    if (field && (FORM_FIELDS as readonly string[]).includes(field)) {
      byField.set(field, [...(byField.get(field) ?? []), coreText(lang, message)]);
    } else {
      general.push(coreText(lang, message));
    }
  }
  return { fields: [...byField].map(([name, errors]) => ({ name, errors })), general };
}
