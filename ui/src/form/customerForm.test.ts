import { describe, expect, it } from "vitest";
import type { Customer } from "../api/generated/Customer";
import { emptyValues, fromCustomer, placeErrors, splitList, toDraft } from "./customerForm";

const customer: Customer = {
  id: "c1",
  status: "active",
  version: 3,
  created_at: "2026-03-02T01:30:00.000Z",
  updated_at: "2026-03-02T01:30:00.000Z",
  closed_at: null,
  close_reason: null,
  supply_suspended: false,
  account: "3300000001",
  name: "张三",
  class: "residential",
  id_kind: "resident_id",
  id_number: "110105********002X",
  phones: ["138****5678", "0571-87654321"],
  address: "杭州市西湖区文一路1号",
  supply_area: "西湖区供电所",
  voltage: "220V",
  capacity_kva: 8,
  tariff_code: "ZJ-RES-TIER",
  payment_method: "counter",
  credit_rating: "A",
  big_customer: false,
  account_manager: null,
  tags: ["独居老人"],
  notes: "",
  meters: [{ number: "M1", kind: "single_phase", multiplier: 1 }],
};

describe("customer form", () => {
  it("splits lists typed with either width of comma, semicolons or spaces", () => {
    expect(splitList(" 13800000000，0571-87654321; 13900000000  ")).toEqual(["13800000000", "0571-87654321", "13900000000"]);
    expect(splitList(" , ")).toEqual([]);
  });

  it("round-trips a stored customer through the form unchanged", () => {
    const { id, status, version, created_at, updated_at, closed_at, close_reason, supply_suspended, ...draft } = customer;
    void [id, status, version, created_at, updated_at, closed_at, close_reason, supply_suspended];
    expect(toDraft(fromCustomer(customer))).toEqual(draft);
  });

  it("sends an empty capacity as 0 and drops blank meter rows", () => {
    const values = { ...emptyValues(), capacity_kva: null, account_manager: "  " };
    values.meters.push({ number: "  ", kind: "three_phase", multiplier: 1 });
    const draft = toDraft(values);
    expect(draft.capacity_kva).toBe(0);
    expect(draft.account_manager).toBeNull();
    expect(draft.meters).toEqual([]);
  });

  it("places each core message at its field in the chosen language", () => {
    const error = {
      kind: "invalid",
      messages: [
        { code: "id_number.check_digit", field: "id_number", zh: "校验位不正确", en: "Wrong check digit" },
        { code: "phone.format", field: "phones", zh: "电话格式", en: "Phone format" },
        { code: "phone.format", field: "phones", zh: "电话格式2", en: "Phone format 2" },
        { code: "account.taken", field: null, zh: "户号已存在", en: "Account exists" },
        { code: "x", field: "not_a_field", zh: "其他", en: "Other" },
      ],
    };
    expect(placeErrors(error, "zh-CN")).toEqual({
      fields: [
        { name: "id_number", errors: ["校验位不正确"] },
        { name: "phones", errors: ["电话格式", "电话格式2"] },
      ],
      general: ["户号已存在", "其他"],
    });
    expect(placeErrors(error, "en").fields[0].errors).toEqual(["Wrong check digit"]);
  });
});
