import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/es/locale/en_US";
import zhCN from "antd/es/locale/zh_CN";
import type { SessionInfo } from "./api/generated/SessionInfo";
import { useI18n } from "./i18n";
import { LockScreen } from "./screens/LockScreen";
import { Shell } from "./screens/Shell";

/** The app after login: Ant Design's theme and locale around the lock screen or the shell. */
export default function SignedIn(props: { session: SessionInfo; setSession: (s: SessionInfo) => void; onLogout: () => void }) {
  const { lang } = useI18n();
  const { session, setSession, onLogout } = props;
  return (
    <ConfigProvider locale={lang === "zh-CN" ? zhCN : enUS} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: "#00706b", borderRadius: 4 } }}>
      <AntApp>
        {session.locked ? (
          <LockScreen session={session} onUnlock={setSession} onSwitchUser={onLogout} />
        ) : (
          <Shell session={session} onLock={() => setSession({ ...session, locked: true })} onLogout={onLogout} />
        )}
      </AntApp>
    </ConfigProvider>
  );
}
