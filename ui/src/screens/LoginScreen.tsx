import { useEffect, useState } from "react";
import { CommandError, client, invoke } from "../api/invoke";
import type { SessionInfo } from "../api/generated/SessionInfo";
import type { SetupState } from "../api/generated/SetupState";
import type { UserMessage } from "../api/generated/UserMessage";
import { coreText, useI18n } from "../i18n";
import { FirstStartScreen } from "../sync/FirstStartScreen";

/**
 * The first screen, in plain HTML and CSS: it must be interactive as soon as the window opens,
 * before Ant Design (loaded for the rest of the app) has been parsed. A workstation without users
 * shows the first-start choice instead; where the core cannot say (`setup.state` refused), the
 * login form stays.
 */
export function LoginScreen({ onLogin }: { onLogin: (session: SessionInfo) => void }) {
  const { t, lang, setLang } = useI18n();
  // The core's message is kept whole, so that it follows a change of language (a lockout says
  // how many minutes are left).
  const [error, setError] = useState<UserMessage | string | null>(null);
  const [busy, setBusy] = useState(false);
  const [setup, setSetup] = useState<SetupState | null>(null);
  useEffect(() => {
    invoke("setup.state", {}).then(setSetup, () => {});
  }, []);

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const username = String(data.get("username") ?? "").trim();
    const password = String(data.get("password") ?? "");
    if (!username || !password) {
      setError(t("common.required"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await invoke("session.login", { username, password });
      client.setToken(result.token);
      onLogin(result.session);
    } catch (err) {
      setError(err instanceof CommandError ? err.error.messages[0] : t("error.network", { detail: String(err) }));
    } finally {
      setBusy(false);
    }
  }

  if (setup && !setup.has_users) return <FirstStartScreen setup={setup} onReady={setSetup} />;

  return (
    <div className="center-screen">
      <form className="plain-card" onSubmit={submit}>
        <h1>{t("login.title")}</h1>
        <p className="muted">{t("login.subtitle")}</p>
        {error && (
          <div className="plain-error" role="alert" data-testid="login-error">
            {typeof error === "string" ? error : coreText(lang, error)}
          </div>
        )}
        <label htmlFor="username">{t("login.username")}</label>
        <input id="username" name="username" autoFocus autoComplete="username" />
        <label htmlFor="password">{t("login.password")}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" />
        <button type="submit" className="plain-primary" disabled={busy}>
          {t("login.submit")}
        </button>
        <button type="button" className="plain-link" onClick={() => setLang(lang === "zh-CN" ? "en" : "zh-CN")}>
          {t("top.language")}
        </button>
      </form>
    </div>
  );
}
