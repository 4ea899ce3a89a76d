import {
  AccountBookOutlined, BarChartOutlined, CalendarOutlined, FileAddOutlined, LockOutlined,
  LogoutOutlined, SettingOutlined, SolutionOutlined, TeamOutlined, UserSwitchOutlined,
} from "@ant-design/icons";
import { Alert, Button, Layout, Menu, Space, Typography } from "antd";
import { useCallback, useEffect, useMemo, useState } from "react";
import { invoke } from "../api/invoke";
import type { CommandName } from "../api/generated/commands";
import type { SessionInfo } from "../api/generated/SessionInfo";
import type { StatusInfo } from "../api/generated/StatusInfo";
import type { UserMessage } from "../api/generated/UserMessage";
import { useLabels } from "../catalog";
import { coreText, type MessageKey, useI18n } from "../i18n";
import { ApplicationsScreen, type AppsView, OverdueBadge } from "./applications/ApplicationsScreen";
import { AppNavContext, type AppNavigation } from "./applications/common";
import { CustomersScreen } from "./CustomersScreen";
import { DayEndScreen } from "./DayEndScreen";
import { PaymentsScreen } from "./PaymentsScreen";
import { RequestsScreen, type RequestsView } from "./requests/RequestsScreen";
import { SettingsScreen } from "./SettingsScreen";
import { UpcomingScreen } from "./UpcomingScreen";
import { UsersScreen } from "./UsersScreen";
import { useCan } from "../session";
import { SyncIndicator } from "../sync/SyncIndicator";
import { SyncContext, useSyncPolling } from "../sync/useSync";

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
  const [overdue, setOverdue] = useState(0);
  const [calendarWarning, setCalendarWarning] = useState<UserMessage | null>(null);
  const [apps, setApps] = useState<AppsView>({ page: "list" });
  const [reqs, setReqs] = useState<RequestsView>({ page: "list" });
  const [requestsWaiting, setRequestsWaiting] = useState(0);
  const canCount = can("application.counts");
  const canCountRequests = can("service.counts");
  const sync = useSyncPolling();

  // The sync status, the overdue applications and the requests overdue or back with the manager in
  // the navigation, refreshed while the app is open.
  const loadCounts = useCallback(() => {
    if (canCount) invoke("application.counts", {}).then((c) => setOverdue(c.overdue), () => {});
    if (canCountRequests) invoke("service.counts", {}).then((c) => setRequestsWaiting(c.overdue + c.reopened), () => {});
  }, [canCount, canCountRequests]);
  useEffect(() => {
    const load = () => {
      invoke("workstation.status", {}).then(setStatus, () => {});
      loadCounts();
    };
    load();
    const timer = window.setInterval(load, 30_000);
    return () => window.clearInterval(timer);
  }, [loadCounts]);

  // A calendar without next year's table: every user is told, plainly, until it is loaded.
  useEffect(() => {
    const load = () => invoke("calendar.status", {}).then((s) => setCalendarWarning(s.warning), () => {});
    load();
    const timer = window.setInterval(load, 600_000);
    window.addEventListener("hall:calendar-changed", load);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("hall:calendar-changed", load);
    };
  }, []);

  const appNav: AppNavigation = useMemo(() => ({
    openApplication: (id) => { setApps({ page: "detail", id }); setPage("applications"); },
    startIntake: (customerId) => { setApps({ page: "intake", customerId }); setPage("applications"); },
  }), []);

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
        // Pressed again in the 业扩 section, its shortcut goes back to the list.
        if (nav[index].key === "applications" && page === "applications") setApps({ page: "list" });
        if (nav[index].key === "requests" && page === "requests") setReqs({ page: "list" });
        setPage(nav[index].key);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [nav, page]);

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
    : page === "applications" ? <ApplicationsScreen view={apps} onView={setApps} onChanged={loadCounts} />
    : page === "requests" ? <RequestsScreen view={reqs} onView={setReqs} onChanged={loadCounts} />
    : <UpcomingScreen section={page} />;

  return (
    <SyncContext.Provider value={sync}>
    <Layout style={{ height: "100vh" }}>
      <Layout.Sider width={168} theme="light" className="side-nav">
        <div className="brand">{t("app.title")}</div>
        <Menu
          mode="inline"
          selectedKeys={[page]}
          onClick={(e) => {
            // The section's entry goes back to its list, as a second click on a tab does.
            if (e.key === "applications") setApps({ page: "list" });
            if (e.key === "requests") setReqs({ page: "list" });
            setPage(e.key);
          }}
          items={nav.map((n, i) => ({
            key: n.key, icon: n.icon, title: `Alt+${i + 1}`,
            label: n.key === "applications" && overdue > 0 ? <OverdueBadge n={overdue}>{t(n.label)}</OverdueBadge>
              : n.key === "requests" && requestsWaiting > 0 ? <OverdueBadge n={requestsWaiting} testId="requests-badge" title={t("badge.requests")}>{t(n.label)}</OverdueBadge>
              : t(n.label),
          }))}
          data-testid="nav"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="top-bar">
          <Typography.Text strong>{t("app.outlet", { code: props.session.outlet_code })}</Typography.Text>
          <Space size="middle">
            <SyncIndicator outboxPending={pending} />
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
          {sync.status?.fenced && (
            <Alert type="error" showIcon banner style={{ marginBottom: 12 }} data-testid="sync-fenced"
              message={t("sync.fencedWith", { message: coreText(lang, sync.status.fenced) })} description={t("sync.fencedHint")} />
          )}
          {calendarWarning && (
            <Alert type="warning" showIcon banner style={{ marginBottom: 12 }} data-testid="calendar-warning" message={coreText(lang, calendarWarning)} />
          )}
          <AppNavContext.Provider value={appNav}>
          {content}
          {collecting && <div hidden={page !== "payments"} data-testid="payments-section"><PaymentsScreen active={page === "payments"} /></div>}
          </AppNavContext.Provider>
        </Layout.Content>
      </Layout>
    </Layout>
    </SyncContext.Provider>
  );
}
