import { PlusOutlined, SearchOutlined } from "@ant-design/icons";
import { Alert, Button, Input, type InputRef, Space, Typography } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { ApplicationHit } from "../api/generated/ApplicationHit";
import type { MatchKind } from "../api/generated/MatchKind";
import type { SearchHit } from "../api/generated/SearchHit";
import { useLabels } from "../catalog";
import { useImeSafe } from "../components/useImeSafe";
import { coreText, type MessageKey, useI18n } from "../i18n";
import { CustomerFormDrawer } from "./CustomerForm";
import { CustomerProfile } from "./CustomerProfile";
import { useAppNav } from "./applications/common";

const PAGE = 20;
/** A scanner types a 10-digit account and Enter; so does a clerk who knows the account. */
const ACCOUNT = /^\d{10}$/;
/** An application number (受理回执 or typed): YK and the outlet, workstation and sequence. */
const APPLICATION = /^YK[0-9A-Z-]+$/i;

export function CustomersScreen() {
  const { t, lang } = useI18n();
  const { label } = useLabels();
  const [text, setText] = useState("");
  const [searched, setSearched] = useState("");
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [applicationHit, setApplicationHit] = useState<ApplicationHit | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [active, setActive] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<InputRef>(null);
  const latest = useRef(0);
  const appNav = useAppNav();

  const search = useCallback(async (query: string, offset = 0) => {
    const ticket = ++latest.current;
    if (query.trim() === "") {
      setHits([]);
      setApplicationHit(null);
      setHasMore(false);
      setSearched("");
      return;
    }
    try {
      const page = await invoke("customer.search", { text: query, offset, limit: PAGE });
      if (ticket !== latest.current) return; // a newer keystroke has its own answer coming
      setHits((previous) => (offset === 0 ? page.hits : [...previous, ...page.hits]));
      if (offset === 0) setApplicationHit(page.application);
      setHasMore(page.has_more);
      setSearched(query);
      setError(null);
      if (offset === 0) setActive(0);
    } catch (e) {
      if (ticket === latest.current) setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }, [lang]);

  const ime = useImeSafe((value) => void search(value));

  useEffect(() => {
    if (!openId) inputRef.current?.focus();
  }, [openId]);

  async function openAccount(account: string) {
    try {
      const view = await invoke("customer.by_account", { account });
      setOpenId(view.customer.id);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }

  async function openApplication(number: string) {
    try {
      const view = await invoke("application.by_number", { number: number.toUpperCase() });
      appNav.openApplication(view.id);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLInputElement>) {
    if (ime.isComposing(e)) return;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((i) => Math.min(i + 1, hits.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === "Enter") {
      e.preventDefault();
      const typed = e.currentTarget.value.trim();
      if (ACCOUNT.test(typed)) void openAccount(typed);
      else if (applicationHit && searched === typed) appNav.openApplication(applicationHit.id);
      else if (APPLICATION.test(typed)) void openApplication(typed);
      else if (hits[active] && searched === typed) setOpenId(hits[active].id);
    } else if (e.key === "Escape") {
      setText("");
      void search("");
    }
  }

  if (openId) {
    return <CustomerProfile id={openId} onBack={() => setOpenId(null)} />;
  }

  const matchLabel = (kind: MatchKind) => t(`match.${kind}` as MessageKey);
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Space.Compact style={{ width: "100%" }}>
        <Input
          ref={inputRef}
          size="large"
          prefix={<SearchOutlined />}
          placeholder={t("search.placeholder")}
          value={text}
          allowClear
          data-testid="customer-search"
          onChange={(e) => {
            setText(e.target.value);
            if (!ime.isComposing(e)) void search(e.target.value);
          }}
          onKeyDown={onKeyDown}
          {...ime.inputProps}
        />
        <Button size="large" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-customer">
          {t("search.new")}
        </Button>
      </Space.Compact>
      <Typography.Text type="secondary">{t("search.hint")}</Typography.Text>
      {error && <Alert type="warning" showIcon message={error} closable onClose={() => setError(null)} />}
      {applicationHit && (
        <Alert type="info" showIcon data-testid="application-hit" style={{ cursor: "pointer" }} onClick={() => appNav.openApplication(applicationHit.id)}
          message={t("search.applicationHit", {
            number: applicationHit.number, kind: label("application_kinds", applicationHit.kind),
            name: applicationHit.applicant_name, state: label("application_states", applicationHit.state),
          })} />
      )}
      {searched && (
        // A plain table rather than Ant Design's: it is redrawn on every keystroke.
        <table className="results" data-testid="search-results">
          <colgroup>
            <col style={{ width: 120 }} />
            <col style={{ width: 190 }} />
            <col style={{ width: 110 }} />
            <col style={{ width: 130 }} />
            <col />
            <col style={{ width: 150 }} />
          </colgroup>
          <thead>
            <tr>
              <th>{t("col.account")}</th>
              <th>{t("col.name")}</th>
              <th>{t("col.class")}</th>
              <th>{t("col.phone")}</th>
              <th>{t("col.address")}</th>
              <th>{t("col.match")}</th>
            </tr>
          </thead>
          <tbody>
            {hits.length === 0 && (
              <tr className="empty">
                <td colSpan={6}>{t("search.empty")}</td>
              </tr>
            )}
            {hits.map((hit, index) => (
              <tr key={hit.id} className={index === active ? "row-active" : ""} onClick={() => setOpenId(hit.id)}
                // One highlighted row: the mouse moves the keys' selection (no separate hover
                // style), and only when it moves, not when rows move under a resting pointer.
                onMouseMove={() => index !== active && setActive(index)}
              >
                <td className="mono">{hit.account}</td>
                <td>{hit.name}</td>
                <td>{label("customer_classes", hit.class)}</td>
                <td className="mono">{hit.phone}</td>
                <td title={hit.address}>{hit.address}</td>
                <td>
                  <span className="tag">{matchLabel(hit.matched_by)}</span>
                  {hit.status === "closed" && <span className="tag">{label("customer_statuses", hit.status)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore && <Button onClick={() => void search(searched, hits.length)}>{t("search.more")}</Button>}
      <CustomerFormDrawer
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(view) => {
          setCreating(false);
          setOpenId(view.customer.id);
        }}
      />
    </Space>
  );
}
