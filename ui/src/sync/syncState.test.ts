import { describe, expect, it } from "vitest";
import type { SyncStatus } from "../api/generated/SyncStatus";
import { translate } from "../i18n";
import { enrolProblem, indicatorKind, type Phrase, progressCount, progressPercent, relativeTime, unsentPhrases } from "./syncState";

const say = (lang: "zh-CN" | "en", phrase: Phrase | null) => (phrase ? translate(lang, phrase.key, phrase.vars) : null);
const now = new Date("2026-11-02T01:00:00.000Z");
const before = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

const status = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  enrolled: true, head_office_url: "https://hq.example", outlet_code: "330106", pending_events: 0, oldest_pending_at: null,
  pending_payments: 0, pending_payments_fen: 0, last_success_at: null, last_attempt_at: null, next_attempt_at: null,
  running: false, progress: null, error: null, fenced: null, ...over,
});
const message = { code: "sync.unreachable", field: null, zh: "无法连接总部", en: "Head office cannot be reached" };

describe("relativeTime", () => {
  it("says just now, minutes, hours and days in both languages", () => {
    expect(say("zh-CN", relativeTime(before(5), now))).toBe("刚刚");
    expect(say("en", relativeTime(before(59), now))).toBe("just now");
    expect(say("en", relativeTime(before(60), now))).toBe("1 minute ago");
    expect(say("zh-CN", relativeTime(before(60 * 59 + 59), now))).toBe("59 分钟前");
    expect(say("en", relativeTime(before(3600), now))).toBe("1 hour ago");
    expect(say("en", relativeTime(before(3600 * 5), now))).toBe("5 hours ago");
    expect(say("zh-CN", relativeTime(before(86400 * 3 + 10), now))).toBe("3 天前");
    expect(say("en", relativeTime(before(86400), now))).toBe("1 day ago");
  });

  it("reads a stamp slightly ahead of this clock as just now, and refuses a broken one", () => {
    expect(say("en", relativeTime(new Date(now.getTime() + 30_000).toISOString(), now))).toBe("just now");
    expect(relativeTime("yesterday", now)).toBeNull();
  });

  it("reads stamps with an offset as the same instant", () => {
    expect(say("en", relativeTime("2026-11-02T08:30:00+08:00", now))).toBe("30 minutes ago");
  });
});

describe("indicatorKind", () => {
  it("puts a fence before everything, then enrolment, a running sync, an error, pending records", () => {
    expect(indicatorKind(null, false)).toBe("loading");
    expect(indicatorKind(null, true)).toBe("unavailable");
    expect(indicatorKind(status({ fenced: message, enrolled: false, running: true }), false)).toBe("fenced");
    expect(indicatorKind(status({ enrolled: false, error: message, pending_events: 4 }), false)).toBe("not_enrolled");
    expect(indicatorKind(status({ running: true, error: message }), false)).toBe("running");
    expect(indicatorKind(status({ error: message, pending_events: 3 }), false)).toBe("error");
    expect(indicatorKind(status({ pending_events: 3 }), false)).toBe("pending");
    expect(indicatorKind(status(), false)).toBe("synced");
  });

  it("keeps showing the last status known when a later poll fails", () => {
    expect(indicatorKind(status({ pending_events: 1 }), true)).toBe("pending");
  });
});

describe("progress", () => {
  it("is a percentage when the total is known, clamped, and indeterminate otherwise", () => {
    expect(progressPercent({ phase: "push", done: 250, total: 1000 })).toBe(25);
    expect(progressPercent({ phase: "push", done: 999, total: 1000 })).toBe(99);
    expect(progressPercent({ phase: "snapshot", done: 1200, total: 1000 })).toBe(100);
    expect(progressPercent({ phase: "pull", done: 30, total: null })).toBeNull();
    expect(progressPercent({ phase: "push", done: 0, total: 0 })).toBeNull();
    expect(progressPercent(null)).toBeNull();
    expect(progressCount({ phase: "push", done: 12, total: 300 })).toBe("12 / 300");
    expect(progressCount({ phase: "pull", done: 12, total: null })).toBe("12");
  });
});

describe("unsentPhrases", () => {
  const lines = (lang: "zh-CN" | "en", s: Parameters<typeof unsentPhrases>[0]) => unsentPhrases(s).map((p) => say(lang, p));

  it("says the payments and their total in yuan, then the other records", () => {
    const s = { pending_events: 7, pending_payments: 3, pending_payments_fen: 12_345 };
    expect(lines("zh-CN", s)).toEqual(["尚有 3 笔收费（¥123.45）未上传总部", "尚有 4 条其他记录未上传总部"]);
    expect(lines("en", s)).toEqual(["3 payments (¥123.45) not yet sent to head office", "4 other records not yet sent to head office"]);
  });

  it("uses the singular and drops the lines with nothing in them", () => {
    expect(lines("en", { pending_events: 1, pending_payments: 1, pending_payments_fen: 5 })).toEqual(["1 payment (¥0.05) not yet sent to head office"]);
    expect(lines("zh-CN", { pending_events: 2, pending_payments: 0, pending_payments_fen: 0 })).toEqual(["尚有 2 条记录未上传总部"]);
    expect(lines("en", { pending_events: 1, pending_payments: 0, pending_payments_fen: 0 })).toEqual(["1 record not yet sent to head office"]);
    expect(lines("en", { pending_events: 0, pending_payments: 0, pending_payments_fen: 0 })).toEqual([]);
  });
});

describe("enrolProblem", () => {
  it("asks for both fields and an http(s) address, leaving the rest to the core", () => {
    expect(enrolProblem("", "ABCD")).toBe("common.required");
    expect(enrolProblem("https://hq.example", "  ")).toBe("common.required");
    expect(enrolProblem("hq.example", "ABCD")).toBe("sync.enrol.urlFormat");
    expect(enrolProblem(" https://127.0.0.1:8443 ", "ABCD-1234")).toBeNull();
  });
});
