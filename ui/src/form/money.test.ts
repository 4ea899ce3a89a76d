import { describe, expect, it } from "vitest";
import { changeDue, parseYuan, yuan } from "./money";

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
    expect(changeDue(8650, [{ kind: "cash", amount: 10000 }])).toEqual({ total: 10000, change: 1350, possible: true });
    expect(changeDue(8650, [{ kind: "card", amount: 10000 }]).possible).toBe(false);
    expect(changeDue(8650, [{ kind: "cash", amount: 5000 }]).possible).toBe(false);
  });
});
