// Money in the UI is integer fen, as in the core; yuan text is parsed as text, never through floats.

/** `12345` → `123.45`. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** `"123.4"` → `12340`; null for anything that is not an amount with at most two decimals. */
export function parseYuan(text: string): number | null {
  const match = /^\s*(\d{1,9})(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** Change for a payment of `amount` from `tendered`, given only cash can give change. */
export function changeDue(amount: number, tenders: Array<{ kind: string; amount: number }>): { total: number; change: number; possible: boolean } {
  const total = tenders.reduce((s, t) => s + t.amount, 0);
  const cash = tenders.filter((t) => t.kind === "cash").reduce((s, t) => s + t.amount, 0);
  const change = total - amount;
  return { total, change, possible: change >= 0 && change <= cash };
}
