import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/es/locale/en_US";
import zhCN from "antd/es/locale/zh_CN";
import { invoke } from "./api/invoke";
import type { SessionInfo } from "./api/generated/SessionInfo";
import { useI18n } from "./i18n";
import { ChangePasswordScreen } from "./screens/ChangePasswordScreen";
import { LockScreen } from "./screens/LockScreen";
import { Shell } from "./screens/Shell";
import { SessionContext } from "./session";

/**
 * The app after login: Ant Design's theme and locale around the lock screen, the password change
 * an administrator's password requires first, or the shell.
 */
export default function SignedIn(props: { session: SessionInfo; setSession: (s: SessionInfo) => void; onLogout: () => void }) {
  const { lang } = useI18n();
  const { session, setSession, onLogout } = props;

  // The lock button locks the session in the core too (a reload does not get past it); the idle
  // lock is the core's own, so the UI only shows it.
  function lock(byUser: boolean) {
    const locally = { ...session, locked: true, locked_by_user: byUser };
    if (byUser) invoke("session.lock", {}).then(setSession, () => setSession(locally));
    else setSession(locally);
  }

  return (
    <ConfigProvider locale={lang === "zh-CN" ? zhCN : enUS} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: "#00706b", borderRadius: 4 } }}>
      <AntApp>
        <SessionContext.Provider value={session}>
          {session.locked ? (
            <LockScreen session={session} onUnlock={setSession} onSwitchUser={onLogout} />
          ) : session.must_change_password ? (
            <ChangePasswordScreen session={session} onChanged={setSession} onLogout={onLogout} />
          ) : (
            <Shell session={session} onLock={lock} onLogout={onLogout} />
          )}
        </SessionContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}
