import { describe, expect, it } from "vitest";
import { changeDue, parseYuan, yuan, yuanProblem } from "./money";

describe("money", () => {
  it("prints fen as yuan", () => {
    expect(yuan(12345)).toBe("123.45");
    expect(yuan(5)).toBe("0.05");
    expect(yuan(-1076)).toBe("-10.76");
  });
  it("parses yuan text exactly", () => {
    expect(parseYuan("123.4")).toBe(12340);
    expect(parseYuan("0.07")).toBe(7);
    expect(parseYuan("200")).toBe(20000);
    expect(parseYuan("1.005")).toBeNull();
    expect(parseYuan("-5")).toBeNull();
    expect(parseYuan("abc")).toBeNull();
    // 0.1 + 0.2 style float errors cannot happen: 19.99 is 1999 fen exactly.
    expect(parseYuan("19.99")).toBe(1999);
  });
  it("gives change only from cash", () => {
    expect(changeDue(8650, [{ kind: "cash", amount: 10000 }])).toEqual({ total: 10000, change: 1350, possible: true, short: 0, nonCashOver: 0 });
    expect(changeDue(8650, [{ kind: "card", amount: 10000 }]).possible).toBe(false);
    expect(changeDue(8650, [{ kind: "cash", amount: 5000 }]).possible).toBe(false);
  });
  it("says why no change is given", () => {
    // 50.00 tendered for 86.50: short by 36.50.
    expect(changeDue(8650, [{ kind: "cash", amount: 5000 }])).toMatchObject({ short: 3650, nonCashOver: 0 });
    // 100.00 by card for 86.50: non-cash over by 13.50; with 5.00 cash as well, by 13.50 still beyond the 5.00 cash.
    expect(changeDue(8650, [{ kind: "card", amount: 10000 }])).toMatchObject({ short: 0, nonCashOver: 1350 });
    expect(changeDue(8650, [{ kind: "card", amount: 10000 }, { kind: "cash", amount: 500 }])).toMatchObject({ short: 0, nonCashOver: 1350 });
  });
  it("refuses absurd amounts with their own message", () => {
    expect(parseYuan("10000000")).toBe(1_000_000_000);
    expect(parseYuan("10000000.01")).toBeNull();
    expect(parseYuan("99999999.99")).toBeNull();
    expect(yuanProblem("99999999.99")).toBe("money.tooLarge");
    expect(yuanProblem("99999999999999")).toBe("money.tooLarge");
    expect(yuanProblem("12.345")).toBe("money.invalid");
    expect(yuanProblem("122.59")).toBeNull();
  });
});
