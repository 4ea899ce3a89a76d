// Money in the UI is integer fen, as in the core; yuan text is parsed as text, never through floats.

/** The largest amount a payment or tender may carry, as the core's `payment::MAX_AMOUNT`: 10,000,000.00 元. */
export const MAX_FEN = 1_000_000_000;

/** `12345` → `123.45`. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** `"123.4"` → `12340`; null for anything that is not an amount with at most two decimals, or is above `MAX_FEN`. */
export function parseYuan(text: string): number | null {
  const match = /^\s*(\d{1,10})(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return fen > MAX_FEN ? null : fen;
}

/** Why `text` is not an amount: the message key to show, or null when it is one. */
export function yuanProblem(text: string): "money.invalid" | "money.tooLarge" | null {
  if (parseYuan(text) !== null) return null;
  return /^\s*\d+(?:\.\d{0,2})?\s*$/.test(text) ? "money.tooLarge" : "money.invalid";
}

/** Change for a payment of `amount` from the tenders, given only cash can give change: what is
 *  short, or how far non-cash tenders exceed the amount when no change is possible. */
export function changeDue(amount: number, tenders: Array<{ kind: string; amount: number }>): {
  total: number; change: number; possible: boolean; short: number; nonCashOver: number;
} {
  const total = tenders.reduce((s, t) => s + t.amount, 0);
  const cash = tenders.filter((t) => t.kind === "cash").reduce((s, t) => s + t.amount, 0);
  const change = total - amount;
  const short = Math.max(0, -change);
  const nonCashOver = change > cash ? change - cash : 0;
  return { total, change, possible: change >= 0 && change <= cash, short, nonCashOver };
}
