import { useCallback, useEffect, useMemo, useState } from "react";
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Space, Typography } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import type { OperatorInfo } from "./generated/OperatorInfo";
import { call, hasToken, onSessionEnded, setToken } from "./api";
import { ConsoleI18nContext, type Lang, translate } from "./i18n";
import { LoginScreen } from "./screens/LoginScreen";
import { OutletsScreen } from "./screens/OutletsScreen";
import { QuarantineScreen } from "./screens/QuarantineScreen";
import { LateMoneyScreen } from "./screens/LateMoneyScreen";
import { ConflictsScreen } from "./screens/ConflictsScreen";
import { PublishScreen } from "./screens/PublishScreen";
import { ReceiptsScreen } from "./screens/ReceiptsScreen";
import { TicketsScreen } from "./screens/TicketsScreen";

type Section = "outlets" | "quarantine" | "lateMoney" | "conflicts" | "publish" | "receipts" | "tickets";
const SECTIONS: Section[] = ["outlets", "quarantine", "lateMoney", "conflicts", "publish", "receipts", "tickets"];

export function ConsoleApp() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem("hall.lang") as Lang) ?? "zh-CN");
  const [operator, setOperator] = useState<OperatorInfo | null>(null);
  const [restoring, setRestoring] = useState(hasToken);
  const [section, setSection] = useState<Section>("outlets");

  const setLang = useCallback((next: Lang) => {
    localStorage.setItem("hall.lang", next);
    document.documentElement.lang = next;
    setLangState(next);
  }, []);
  const i18n = useMemo(
    () => ({
      lang,
      setLang,
      t: (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(lang, key, vars),
      text: (m: { zh: string; en: string }) => (lang === "zh-CN" ? m.zh : m.en),
    }),
    [lang, setLang],
  );

  useEffect(() => {
    document.title = translate(lang, "app.title");
  }, [lang]);
  useEffect(() => {
    onSessionEnded(() => setOperator(null));
    if (hasToken()) {
      call("GET /me", null)
        .then(setOperator, () => setToken(null))
        .finally(() => setRestoring(false));
    }
  }, []);
  // Alt+1 … Alt+7 move between the sections from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const n = Number(e.key);
      if (e.altKey && n >= 1 && n <= SECTIONS.length) {
        e.preventDefault();
        setSection(SECTIONS[n - 1]);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const logout = async () => {
    await call("POST /logout", null).catch(() => {});
    setToken(null);
    setOperator(null);
  };

  let body = null;
  if (restoring) body = null;
  else if (!operator) body = <LoginScreen onLogin={setOperator} />;
  else
    body = (
      <Layout style={{ minHeight: "100vh" }}>
        <Layout.Header style={{ display: "flex", alignItems: "center", gap: 16, paddingInline: 16 }}>
          <Typography.Text strong style={{ color: "#fff", whiteSpace: "nowrap" }}>
            {i18n.t("app.title")}
          </Typography.Text>
          <Menu
            theme="dark"
            mode="horizontal"
            selectedKeys={[section]}
            onClick={(e) => setSection(e.key as Section)}
            style={{ flex: 1, minWidth: 0 }}
            items={SECTIONS.map((key, i) => ({ key, label: `${i18n.t(`nav.${key}`)}`, title: `Alt+${i + 1}` }))}
          />
          <Space>
            <Typography.Text style={{ color: "#fff" }}>{operator.display_name}</Typography.Text>
            <Button size="small" onClick={() => setLang(lang === "zh-CN" ? "en" : "zh-CN")}>
              {i18n.t("app.language")}
            </Button>
            <Button size="small" onClick={logout}>
              {i18n.t("app.logout")}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 16 }}>
          {section === "outlets" && <OutletsScreen />}
          {section === "quarantine" && <QuarantineScreen />}
          {section === "lateMoney" && <LateMoneyScreen />}
          {section === "conflicts" && <ConflictsScreen />}
          {section === "publish" && <PublishScreen />}
          {section === "receipts" && <ReceiptsScreen />}
          {section === "tickets" && <TicketsScreen />}
        </Layout.Content>
      </Layout>
    );

  return (
    <ConsoleI18nContext.Provider value={i18n}>
      <ConfigProvider locale={lang === "zh-CN" ? zhCN : enUS}>
        <AntApp>{body}</AntApp>
      </ConfigProvider>
    </ConsoleI18nContext.Provider>
  );
}
