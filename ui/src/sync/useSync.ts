// The sync state the shell polls and shares with the top bar, the settings card and the day-end.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import { invoke } from "../api/invoke";
import type { EnrolArgs } from "../api/generated/EnrolArgs";
import type { SyncStatus } from "../api/generated/SyncStatus";
import type { UserMessage } from "../api/generated/UserMessage";
import { coreText, type Lang, type MessageKey, translate } from "../i18n";
import { enrolProblem, messageOf } from "./syncState";

/** Gentle while idle; quick while a transfer runs, so its bar moves. */
export const POLL_IDLE_MS = 15_000;
export const POLL_RUNNING_MS = 1_500;
export const BURST_MS = 20_000;

/** A problem to show: the core's message (both languages) or one of the UI's own keys. */
export type Problem = { core: UserMessage } | { key: MessageKey; vars?: Record<string, string | number> } | { text: string };

export function problemOf(error: unknown): Problem {
  const core = messageOf(error);
  return core ? { core } : { text: String(error) };
}

export interface SyncState {
  status: SyncStatus | null;
  /** The last poll failed (the shell then shows the outbox count from `workstation.status`). */
  failed: boolean;
  /** When the last poll answered: "3 minutes ago" is counted from here. */
  checkedAt: Date;
  /** A "sync now" is in flight; a second press does nothing meanwhile. */
  requesting: boolean;
  /** Why the last "sync now" was refused, until the next one. */
  nowProblem: Problem | null;
  refresh(): Promise<void>;
  syncNow(): Promise<void>;
}

export const SyncContext = createContext<SyncState>({
  status: null,
  failed: true,
  checkedAt: new Date(0),
  requesting: false,
  nowProblem: null,
  refresh: async () => {},
  syncNow: async () => {},
});
export const useSync = () => useContext(SyncContext);

/** Polls `sync.status` for the shell. Any refusal (not built, not allowed, offline) is kept as
 *  `failed`, never thrown: the indicator must not break the shell. */
export function useSyncPolling(): SyncState {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [failed, setFailed] = useState(false);
  const [checkedAt, setCheckedAt] = useState(() => new Date());
  const [requesting, setRequesting] = useState(false);
  const [nowProblem, setNowProblem] = useState<Problem | null>(null);
  // For a while after "sync now" the background task takes it up: polled quickly meanwhile.
  const [burst, setBurst] = useState(false);
  const inFlight = useRef(false);
  useEffect(() => {
    if (!burst) return;
    const timer = window.setTimeout(() => setBurst(false), BURST_MS);
    return () => window.clearTimeout(timer);
  }, [burst]);

  const refresh = useCallback(async () => {
    try {
      const next = await invoke("sync.status", {});
      setStatus(next);
      setFailed(false);
    } catch {
      setFailed(true);
    }
    setCheckedAt(new Date());
  }, []);

  const running = status?.running ?? false;
  useEffect(() => {
    const timer = window.setInterval(() => void refresh(), running || requesting || burst ? POLL_RUNNING_MS : POLL_IDLE_MS);
    return () => window.clearInterval(timer);
  }, [refresh, running, requesting, burst]);
  useEffect(() => {
    const first = window.setTimeout(() => void refresh(), 0);
    return () => window.clearTimeout(first);
  }, [refresh]);

  const syncNow = useCallback(async () => {
    // A ref, not state: two presses in one frame both see the first one's mark.
    if (inFlight.current) return;
    inFlight.current = true;
    setRequesting(true);
    setNowProblem(null);
    try {
      setStatus(await invoke("sync.now", {}));
      setFailed(false);
      setBurst(true);
    } catch (e) {
      setNowProblem(problemOf(e));
    } finally {
      inFlight.current = false;
      setRequesting(false);
      await refresh();
    }
  }, [refresh]);

  return { status, failed, checkedAt, requesting, nowProblem, refresh, syncNow };
}

/** Enrolment with head office, for the first-start screen and the settings card: checks what the
 *  UI can, sends `sync.enrol` once however often it is pressed, and watches its progress where
 *  `sync.status` answers (it needs a session, so not on the first-start screen). */
export function useEnrol(onEnrolled: (status: SyncStatus) => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [progress, setProgress] = useState<SyncStatus["progress"]>(null);
  const inFlight = useRef(false);

  useEffect(() => {
    if (!busy) return;
    const timer = window.setInterval(() => {
      invoke("sync.status", {}).then((s) => setProgress(s.progress), () => {});
    }, 1000);
    return () => window.clearInterval(timer);
  }, [busy]);

  const enrol = useCallback(
    async (args: EnrolArgs) => {
      if (inFlight.current) return;
      const local = enrolProblem(args.url, args.code);
      if (local) {
        setProblem({ key: local });
        return;
      }
      inFlight.current = true;
      setBusy(true);
      setProblem(null);
      setProgress(null);
      try {
        const status = await invoke("sync.enrol", { url: args.url.trim(), code: args.code.trim(), ca_pem: args.ca_pem?.trim() || undefined });
        onEnrolled(status);
      } catch (e) {
        setProblem(problemOf(e));
      } finally {
        inFlight.current = false;
        setBusy(false);
      }
    },
    [onEnrolled],
  );

  return { enrol, busy, problem, progress };
}

/** A problem in the user's language. */
export function problemText(lang: Lang, problem: Problem): string {
  if ("core" in problem) return coreText(lang, problem.core);
  if ("key" in problem) return translate(lang, problem.key, problem.vars);
  return translate(lang, "error.network", { detail: problem.text });
}
