import { useCallback, useEffect, useRef, useState } from "react";
import { invoke } from "../api/invoke";
import type { SetupState } from "../api/generated/SetupState";
import type { SyncStatus } from "../api/generated/SyncStatus";
import { useI18n } from "../i18n";
import { progressCount, progressPercent } from "./syncState";
import { type Problem, problemOf, problemText, useEnrol } from "./useSync";

/**
 * The login page on a first start (no users yet), in plain HTML like the login form: enrol with
 * head office (its users then arrive, and the login form follows) or run on the demo outlet.
 * Keyboard-first: ↑↓ move between the two choices, Enter takes one, Esc goes back.
 */
export function FirstStartScreen({ setup, onReady }: { setup: SetupState; onReady: (next: SetupState) => void }) {
  const { t, lang, setLang } = useI18n();
  const [mode, setMode] = useState<"choose" | "enrol">("choose");
  const [demoBusy, setDemoBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const demoInFlight = useRef(false);
  const choices = useRef<Array<HTMLButtonElement | null>>([]);

  const recheck = useCallback(async () => {
    try {
      onReady(await invoke("setup.state", {}));
    } catch (e) {
      setProblem(problemOf(e));
    }
  }, [onReady]);
  const enrolment = useEnrol(() => void recheck());
  const urlInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);

  // Esc goes back to the choice from anywhere in the form (not while enrolment runs).
  const enrolBusy = enrolment.busy;
  useEffect(() => {
    if (mode !== "enrol") return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !enrolBusy) {
        e.preventDefault();
        setMode("choose");
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [mode, enrolBusy]);

  // Enrolled, the users not here yet: head office's snapshot is on its way (the background task
  // fetches it); asked again every two seconds, with its progress where `sync.status` answers.
  const waiting = setup.enrolled && !setup.has_users;
  const [snapshot, setSnapshot] = useState<SyncStatus["progress"]>(null);
  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => {
      void recheck();
      invoke("sync.status", {}).then((s) => setSnapshot(s.progress), () => {});
    }, 2000);
    return () => window.clearInterval(timer);
  }, [waiting, recheck]);

  // After a refusal the focus goes to the field it names (the code, or else the address).
  const enrolProblemShown = enrolment.problem;
  useEffect(() => {
    if (!enrolProblemShown) return;
    const field = "core" in enrolProblemShown ? enrolProblemShown.core.field : null;
    (field === "code" ? codeInput.current : urlInput.current)?.focus();
  }, [enrolProblemShown]);

  async function demo() {
    if (demoInFlight.current) return;
    demoInFlight.current = true;
    setDemoBusy(true);
    setProblem(null);
    try {
      onReady(await invoke("setup.demo", {}));
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      demoInFlight.current = false;
      setDemoBusy(false);
    }
  }

  function moveFocus(e: React.KeyboardEvent) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const current = choices.current.findIndex((b) => b === document.activeElement);
    const next = e.key === "ArrowDown" ? Math.min(current + 1, choices.current.length - 1) : Math.max(current - 1, 0);
    choices.current[next]?.focus();
  }

  function submitEnrol(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const ca = String(data.get("ca_pem") ?? "").trim();
    void enrolment.enrol({ url: String(data.get("url") ?? ""), code: String(data.get("code") ?? ""), ca_pem: ca || undefined });
  }

  const shownProblem = mode === "enrol" ? enrolment.problem ?? problem : problem;
  const language = (
    <button type="button" className="plain-link" onClick={() => setLang(lang === "zh-CN" ? "en" : "zh-CN")} data-testid="setup-language">
      {t("top.language")}
    </button>
  );

  if (mode === "enrol" && !waiting) {
    const percent = progressPercent(enrolment.progress);
    return (
      <div className="center-screen">
        <form className="plain-card wide" onSubmit={submitEnrol} data-testid="setup-enrol">
          <h1>{t("sync.enrol.title")}</h1>
          <p className="muted">{t("sync.enrol.hint")}</p>
          {shownProblem && <div className="plain-error" role="alert" data-testid="setup-error">{problemText(lang, shownProblem)}</div>}
          <label htmlFor="setup-url">{t("sync.enrol.url")}</label>
          <input id="setup-url" name="url" ref={urlInput} className="mono" placeholder="https://" autoFocus autoComplete="url" readOnly={enrolment.busy} />
          <label htmlFor="setup-code">{t("sync.enrol.code")}</label>
          <input id="setup-code" name="code" ref={codeInput} className="mono" autoComplete="off" readOnly={enrolment.busy} />
          <details className="plain-details">
            <summary>{t("sync.enrol.caTitle")}</summary>
            <label htmlFor="setup-ca">{t("sync.enrol.ca")}</label>
            <textarea id="setup-ca" name="ca_pem" className="mono" rows={4} placeholder="-----BEGIN CERTIFICATE-----" readOnly={enrolment.busy} />
          </details>
          {enrolment.busy && (
            <div className="plain-progress-block" data-testid="setup-progress">
              <span className="muted">{t("sync.enrol.busy")} {enrolment.progress ? progressCount(enrolment.progress) : ""}</span>
              <PlainProgress percent={percent} />
            </div>
          )}
          <button type="submit" className="plain-primary" disabled={enrolment.busy}>{t("sync.enrol.submit")}</button>
          <div className="plain-row">
            <button type="button" className="plain-link" onClick={() => setMode("choose")} disabled={enrolment.busy}>
              {t("setup.back")}
            </button>
            <span className="muted plain-small">{t("setup.backKey")}</span>
          </div>
          {language}
        </form>
      </div>
    );
  }

  return (
    <div className="center-screen">
      <div className="plain-card wide" data-testid="first-start">
        <h1>{t("setup.title")}</h1>
        <p className="muted">{setup.enrolled ? t("setup.waitingUsers") : t("setup.subtitle")}</p>
        {shownProblem && <div className="plain-error" role="alert" data-testid="setup-error">{problemText(lang, shownProblem)}</div>}
        {waiting ? (
          <>
            <div className="plain-progress-block" data-testid="setup-waiting">
              <span className="muted">{t("setup.downloading")} {snapshot ? progressCount(snapshot) : ""}</span>
              <PlainProgress percent={progressPercent(snapshot)} />
            </div>
            <button type="button" className="plain-primary" autoFocus onClick={() => void recheck()}>{t("setup.recheck")}</button>
          </>
        ) : (
          <div role="group" aria-label={t("setup.title")} onKeyDown={moveFocus} className="plain-choices">
            <button type="button" className="plain-choice" autoFocus ref={(b) => { choices.current[0] = b; }} disabled={demoBusy}
              onClick={() => { setProblem(null); setMode("enrol"); }} data-testid="setup-choose-enrol">
              <strong>{t("setup.enrol")}</strong>
              <span>{t("setup.enrolHint")}</span>
            </button>
            <button type="button" className="plain-choice" ref={(b) => { choices.current[1] = b; }} disabled={demoBusy}
              onClick={() => void demo()} data-testid="setup-choose-demo">
              <strong>{t("setup.demo")}</strong>
              <span>{t("setup.demoHint")}</span>
            </button>
          </div>
        )}
        {demoBusy && (
          <div className="plain-progress-block" data-testid="setup-progress">
            <span className="muted">{t("setup.demoBusy")}</span>
            <PlainProgress percent={null} />
          </div>
        )}
        <p className="muted plain-small">{t("setup.keys")}</p>
        {language}
      </div>
    </div>
  );
}

/** A bar without Ant Design: a percentage, or moving while the total is unknown. */
function PlainProgress({ percent }: { percent: number | null }) {
  return (
    <div className="plain-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent ?? undefined}>
      <div className={percent === null ? "plain-progress-bar moving" : "plain-progress-bar"} style={percent === null ? undefined : { width: `${percent}%` }} />
    </div>
  );
}
