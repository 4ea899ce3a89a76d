import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from "react";
import { client, invoke } from "./api/invoke";
import type { Catalog } from "./api/generated/Catalog";
import type { SessionInfo } from "./api/generated/SessionInfo";
import { CatalogContext } from "./catalog";
import { I18nContext, type Lang, translate } from "./i18n";
import { LoginScreen } from "./screens/LoginScreen";

// Everything after the login screen, with Ant Design, is a separate chunk: the window is
// interactive before it is parsed, and it is fetched in the background while the clerk types.
const loadSignedIn = () => import("./SignedIn");
const SignedIn = lazy(loadSignedIn);

export function App() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem("hall.lang") as Lang) ?? "zh-CN");
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [restoring, setRestoring] = useState(() => client.token() !== null);

  const setLang = useCallback((next: Lang) => {
    localStorage.setItem("hall.lang", next);
    document.documentElement.lang = next;
    setLangState(next);
  }, []);
  const i18n = useMemo(
    () => ({ lang, setLang, t: (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(lang, key, vars) }),
    [lang, setLang],
  );

  useEffect(() => {
    document.title = translate(lang, "app.title");
  }, [lang]);

  useEffect(() => {
    const idle = window.setTimeout(() => void loadSignedIn(), 200);
    invoke("system.catalog", {}).then(setCatalog, () => {});
    // A reload in the browser keeps the session of this tab.
    if (client.token()) {
      invoke("session.whoami", {})
        .then(setSession, () => client.setToken(null))
        .finally(() => setRestoring(false));
    }
    client.onSessionProblem((code) => {
      // Locked in the core (idle, or by the user in another window): the core says which.
      if (code === "session.locked") invoke("session.whoami", {}).then(setSession, () => setSession((s) => (s ? { ...s, locked: true } : s)));
      else {
        client.setToken(null);
        setSession(null);
      }
    });
    return () => window.clearTimeout(idle);
  }, []);

  const logout = useCallback(async () => {
    await invoke("session.logout", {}).catch(() => {});
    client.setToken(null);
    setSession(null);
  }, []);

  let screen = null;
  if (restoring) screen = null;
  else if (!session) screen = <LoginScreen onLogin={setSession} />;
  else
    screen = (
      <Suspense fallback={null}>
        <SignedIn session={session} setSession={setSession} onLogout={logout} />
      </Suspense>
    );

  return (
    <I18nContext.Provider value={i18n}>
      <CatalogContext.Provider value={catalog}>{screen}</CatalogContext.Provider>
    </I18nContext.Provider>
  );
}
