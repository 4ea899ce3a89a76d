import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { useCallback, useEffect, useMemo, useState } from "react";
import { client, invoke } from "./api/invoke";
import type { Catalog } from "./api/generated/Catalog";
import type { SessionInfo } from "./api/generated/SessionInfo";
import { I18nContext, type Lang, translate } from "./i18n";
import { CatalogContext } from "./catalog";
import { LockScreen } from "./screens/LockScreen";
import { LoginScreen } from "./screens/LoginScreen";
import { Shell } from "./screens/Shell";

export function App() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem("hall.lang") as Lang) ?? "zh-CN");
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [restoring, setRestoring] = useState(true);

  const setLang = useCallback((next: Lang) => {
    localStorage.setItem("hall.lang", next);
    document.documentElement.lang = next;
    setLangState(next);
  }, []);
  const i18n = useMemo(() => ({ lang, setLang, t: (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(lang, key, vars) }), [lang, setLang]);

  useEffect(() => {
    document.title = translate(lang, "app.title");
  }, [lang]);

  useEffect(() => {
    invoke("system.catalog", {}).then(setCatalog, () => {});
    // A reload in the browser keeps the session of this tab.
    if (client.token()) {
      invoke("session.whoami", {})
        .then(setSession, () => client.setToken(null))
        .finally(() => setRestoring(false));
    } else {
      setRestoring(false);
    }
    client.onSessionProblem((code) => {
      if (code === "session.locked") setSession((s) => (s ? { ...s, locked: true } : s));
      else {
        client.setToken(null);
        setSession(null);
      }
    });
  }, []);

  const logout = useCallback(async () => {
    await invoke("session.logout", {}).catch(() => {});
    client.setToken(null);
    setSession(null);
  }, []);

  let screen;
  if (restoring) screen = null;
  else if (!session) screen = <LoginScreen onLogin={setSession} />;
  else if (session.locked) screen = <LockScreen session={session} onUnlock={setSession} onSwitchUser={logout} />;
  else screen = <Shell session={session} onLock={() => setSession({ ...session, locked: true })} onLogout={logout} />;

  return (
    <ConfigProvider locale={lang === "zh-CN" ? zhCN : enUS} theme={{ token: { colorPrimary: "#00706b", borderRadius: 4 } }}>
      <AntApp>
        <I18nContext.Provider value={i18n}>
          <CatalogContext.Provider value={catalog}>{screen}</CatalogContext.Provider>
        </I18nContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}
