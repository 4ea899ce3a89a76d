import {
  AccountBookOutlined, BarChartOutlined, CalendarOutlined, CloudSyncOutlined, FileAddOutlined, LockOutlined,
  LogoutOutlined, SettingOutlined, SolutionOutlined, TeamOutlined, UserSwitchOutlined,
} from "@ant-design/icons";
import { Button, Layout, Menu, Space, Tag, Tooltip, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { invoke } from "../api/invoke";
import type { CommandName } from "../api/generated/commands";
import type { SessionInfo } from "../api/generated/SessionInfo";
import type { StatusInfo } from "../api/generated/StatusInfo";
import { useLabels } from "../catalog";
import { type MessageKey, useI18n } from "../i18n";
import { CustomersScreen } from "./CustomersScreen";
import { DayEndScreen } from "./DayEndScreen";
import { PaymentsScreen } from "./PaymentsScreen";
import { SettingsScreen } from "./SettingsScreen";
import { UpcomingScreen } from "./UpcomingScreen";
import { UsersScreen } from "./UsersScreen";
import { useCan } from "../session";

/** The sections; one with `needs` is shown only to roles that may run that command. */
const NAV: Array<{ key: string; label: MessageKey; icon: React.ReactNode; needs?: CommandName }> = [
  { key: "customers", label: "nav.customers", icon: <TeamOutlined /> },
  { key: "payments", label: "nav.payments", icon: <AccountBookOutlined /> },
  { key: "applications", label: "nav.applications", icon: <FileAddOutlined /> },
  { key: "requests", label: "nav.requests", icon: <SolutionOutlined /> },
  { key: "reports", label: "nav.reports", icon: <BarChartOutlined /> },
  { key: "day-end", label: "nav.dayEnd", icon: <CalendarOutlined /> },
  { key: "settings", label: "nav.settings", icon: <SettingOutlined /> },
  { key: "users", label: "nav.users", icon: <UserSwitchOutlined />, needs: "user.list" },
];

export function Shell(props: { session: SessionInfo; onLock: (byUser: boolean) => void; onLogout: () => void }) {
  const { t, lang, setLang } = useI18n();
  const { label } = useLabels();
  const [page, setPage] = useState("customers");
  const can = useCan();
  const nav = useMemo(() => NAV.filter((n) => !n.needs || can(n.needs)), [can]);
  const [status, setStatus] = useState<StatusInfo | null>(null);

  // The sync status in the top bar, refreshed while the app is open.
  useEffect(() => {
    const load = () => invoke("workstation.status", {}).then(setStatus, () => {});
    load();
    const timer = window.setInterval(load, 30_000);
    return () => window.clearInterval(timer);
  }, []);

  // Lock after the configured idle minutes; the core refuses commands from an idle session too.
  useEffect(() => {
    let last = Date.now();
    const touch = () => (last = Date.now());
    const events = ["keydown", "mousedown", "wheel", "touchstart"] as const;
    events.forEach((e) => window.addEventListener(e, touch, { passive: true }));
    const timer = window.setInterval(() => {
      if (Date.now() - last > props.session.idle_lock_minutes * 60_000) props.onLock(false);
    }, 5_000);
    return () => {
      events.forEach((e) => window.removeEventListener(e, touch));
      window.clearInterval(timer);
    };
  }, [props]);

  // Alt+1 … Alt+7 switch sections without the mouse.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const index = Number(e.key) - 1;
      if (e.altKey && index >= 0 && index < nav.length) {
        e.preventDefault();
        setPage(nav[index].key);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [nav]);

  const pending = status?.pending_events ?? 0;
  // The collection screen, once shown, stays mounted (hidden) while another section is open, so a
  // collection in progress survives a look elsewhere.
  const [collecting, setCollecting] = useState(false);
  if (page === "payments" && !collecting) setCollecting(true);
  const content =
    page === "customers" ? <CustomersScreen />
    : page === "payments" ? null
    : page === "day-end" ? <DayEndScreen />
    : page === "settings" ? <SettingsScreen session={props.session} status={status} />
    : page === "users" ? <UsersScreen session={props.session} />
    : <UpcomingScreen section={page} />;

  return (
    <Layout style={{ height: "100vh" }}>
      <Layout.Sider width={168} theme="light" className="side-nav">
        <div className="brand">{t("app.title")}</div>
        <Menu
          mode="inline"
          selectedKeys={[page]}
          onClick={(e) => setPage(e.key)}
          items={nav.map((n, i) => ({ key: n.key, icon: n.icon, label: t(n.label), title: `Alt+${i + 1}` }))}
          data-testid="nav"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="top-bar">
          <Typography.Text strong>{t("app.outlet", { code: props.session.outlet_code })}</Typography.Text>
          <Space size="middle">
            <Tooltip title={t("top.sync.title")}>
              <Tag icon={<CloudSyncOutlined />} color={pending > 0 ? "orange" : "green"} data-testid="sync-status">
                {pending > 0 ? t("top.sync.pending", { n: pending }) : t("top.sync.clear")}
              </Tag>
            </Tooltip>
            <span data-testid="current-user">
              {props.session.user.display_name} · {label("roles", props.session.user.role)}
            </span>
            <Button size="small" onClick={() => setLang(lang === "zh-CN" ? "en" : "zh-CN")} data-testid="lang-switch">
              {t("top.language")}
            </Button>
            <Button size="small" icon={<LockOutlined />} onClick={() => props.onLock(true)} data-testid="lock">
              {t("top.lock")}
            </Button>
            <Button size="small" icon={<LogoutOutlined />} onClick={props.onLogout}>
              {t("top.logout")}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content className="content">
          {content}
          {collecting && <div hidden={page !== "payments"} data-testid="payments-section"><PaymentsScreen active={page === "payments"} /></div>}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
