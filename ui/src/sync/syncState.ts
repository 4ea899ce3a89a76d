// The sync indicator's pure logic: which state to show, how long ago, how far a transfer is, and
// what the day-end says is not yet sent. No React, no I/O: tested with Vitest.
import type { SyncProgress } from "../api/generated/SyncProgress";
import type { SyncStatus } from "../api/generated/SyncStatus";
import type { UserMessage } from "../api/generated/UserMessage";
import { yuan } from "../form/money";
import type { MessageKey } from "../i18n";

/** A message key and its placeholders, translated by the caller in the user's language. */
export interface Phrase {
  key: MessageKey;
  vars?: Record<string, string | number>;
}

/**
 * How long ago `stamp` was, as a clerk says it: just now, minutes, hours, days. A stamp a little in
 * the future (another machine's clock) is "just now"; an unreadable one is null.
 */
export function relativeTime(stamp: string, now: Date): Phrase | null {
  const at = Date.parse(stamp);
  if (Number.isNaN(at)) return null;
  const seconds = Math.max(0, Math.floor((now.getTime() - at) / 1000));
  if (seconds < 60) return { key: "sync.ago.now" };
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return { key: minutes === 1 ? "sync.ago.minute" : "sync.ago.minutes", vars: { n: minutes } };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { key: hours === 1 ? "sync.ago.hour" : "sync.ago.hours", vars: { n: hours } };
  const days = Math.floor(hours / 24);
  return { key: days === 1 ? "sync.ago.day" : "sync.ago.days", vars: { n: days } };
}

/** What the top bar shows, most pressing first. `unavailable`: the core could not say (an error
 *  from `sync.status`, e.g. before sync is built); the shell then shows the outbox count alone. */
export type IndicatorKind = "loading" | "unavailable" | "fenced" | "not_enrolled" | "running" | "error" | "pending" | "synced";

export function indicatorKind(status: SyncStatus | null, failed: boolean): IndicatorKind {
  if (!status) return failed ? "unavailable" : "loading";
  if (status.fenced) return "fenced";
  if (!status.enrolled) return "not_enrolled";
  if (status.running) return "running";
  if (status.error) return "error";
  if (status.pending_events > 0) return "pending";
  return "synced";
}

/** The tag's colour for each state (Ant Design's preset names). */
export const INDICATOR_COLOR: Record<IndicatorKind, string> = {
  loading: "default",
  unavailable: "default",
  fenced: "red",
  not_enrolled: "default",
  running: "processing",
  error: "orange",
  pending: "orange",
  synced: "green",
};

/** A transfer's percentage when its total is known, clamped to 0…100; null when it is not (the
 *  bar is then indeterminate). */
export function progressPercent(progress: SyncProgress | null | undefined): number | null {
  if (!progress || progress.total == null || progress.total <= 0) return null;
  return Math.min(100, Math.max(0, Math.floor((progress.done * 100) / progress.total)));
}

/** The phase's name as the bar's label. */
export function phaseKey(phase: string): MessageKey {
  return phase === "push" ? "sync.phase.push" : phase === "pull" ? "sync.phase.pull" : phase === "snapshot" ? "sync.phase.snapshot" : "sync.phase.other";
}

/** "12 / 300" or "12" when the total is not known. */
export function progressCount(progress: SyncProgress): string {
  return progress.total == null ? String(progress.done) : `${progress.done} / ${progress.total}`;
}

/** What the day-end says is not yet at head office: the payments and their total in yuan, and the
 *  other records; nothing when all is sent. */
export function unsentPhrases(status: Pick<SyncStatus, "pending_events" | "pending_payments" | "pending_payments_fen">): Phrase[] {
  const phrases: Phrase[] = [];
  const payments = status.pending_payments;
  if (payments > 0) {
    phrases.push({ key: payments === 1 ? "sync.unsent.payments1" : "sync.unsent.payments", vars: { n: payments, amount: yuan(status.pending_payments_fen) } });
  }
  // The other records are "other" only beside a payments line.
  const others = status.pending_events - payments;
  if (others > 0) {
    const key: MessageKey = payments > 0 ? (others === 1 ? "sync.unsent.records1" : "sync.unsent.records") : others === 1 ? "sync.unsent.all1" : "sync.unsent.all";
    phrases.push({ key, vars: { n: others } });
  }
  return phrases;
}

/** Whether a head-office address looks usable before it is sent (the core checks it fully). */
export function enrolProblem(url: string, code: string): MessageKey | null {
  const address = url.trim();
  if (!address || !code.trim()) return "common.required";
  if (!/^https?:\/\/[^\s/]+/i.test(address)) return "sync.enrol.urlFormat";
  return null;
}

/** The message to show for a refusal: the core's own (both languages) or a plain one. */
export function messageOf(error: unknown): UserMessage | null {
  if (error && typeof error === "object" && "error" in error) {
    const messages = (error as { error: { messages?: UserMessage[] } }).error.messages;
    if (messages && messages.length > 0) return messages[0];
  }
  return null;
}
