// Instants are stored in UTC; people read them in the outlet's time zone (China Standard Time),
// as receipts print them, whatever the counter PC's own zone is.

/** `2026-11-22T06:39:32.000Z` → `2026/11/22 14:39:32`. */
export function outletTime(stamp: string): string {
  return new Date(stamp).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}
