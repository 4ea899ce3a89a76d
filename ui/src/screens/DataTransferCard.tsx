import { App, Button, Card, Input, Progress, Space, Table } from "antd";
import { useRef, useState } from "react";
import { CommandError, chooseFile, inDesktopApp, invoke } from "../api/invoke";
import type { ImportReport } from "../api/generated/ImportReport";
import type { Rejection } from "../api/generated/Rejection";
import { coreText, useI18n } from "../i18n";

type Action = "customers" | "bills" | "export";

/** Import of customer and bill CSV files and export of customers, for managers and administrators. */
export function DataTransferCard() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [path, setPath] = useState("");
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [percent, setPercent] = useState<number | null>(null);
  const polling = useRef<number | undefined>(undefined);

  /** Runs an import while asking how far it is; the core keeps the progress under a random key. */
  async function importWithProgress(cmd: "customers.import" | "bills.import", target: string): Promise<ImportReport> {
    const key = crypto.randomUUID();
    setPercent(0);
    polling.current = window.setInterval(() => {
      invoke("import.progress", { key }).then((p) => p.total > 0 && setPercent(Math.floor((p.done * 100) / p.total)), () => {});
    }, 250);
    try {
      return await invoke(cmd, { path: target, progress: key });
    } finally {
      window.clearInterval(polling.current);
      setPercent(null);
    }
  }

  async function run(action: Action) {
    let target = path;
    if (inDesktopApp()) {
      target = (await chooseFile(action === "export" ? "save" : "open")) ?? "";
      if (!target) return;
      setPath(target);
    }
    setBusy(true);
    try {
      if (action === "export") {
        const result = await invoke("customers.export", { path: target });
        message.success(t("data.exported", { n: result.customers, path: result.path }));
      } else {
        const result = await importWithProgress(action === "customers" ? "customers.import" : "bills.import", target);
        setReport(result);
        message.info(t(action === "customers" ? "data.imported" : "data.importedBills", { n: result.imported, r: result.rejected.length }));
      }
    } catch (e) {
      message.error(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    } finally {
      setBusy(false);
    }
  }

  const label = (key: "data.import" | "data.importBills" | "data.export") => (inDesktopApp() ? `${t(key)}…` : t(key));
  return (
    <Card title={t("data.title")}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Space.Compact style={{ width: "100%" }}>
          {!inDesktopApp() && <Input placeholder={t("data.path")} value={path} onChange={(e) => setPath(e.target.value)} className="mono" />}
          <Button loading={busy} onClick={() => void run("customers")}>
            {label("data.import")}
          </Button>
          <Button loading={busy} onClick={() => void run("bills")} data-testid="import-bills">
            {label("data.importBills")}
          </Button>
          <Button loading={busy} onClick={() => void run("export")}>
            {label("data.export")}
          </Button>
        </Space.Compact>
        {percent !== null && <Progress percent={percent} status="active" aria-label={t("data.progress")} data-testid="import-progress" />}
        {report && report.rejected.length > 0 && (
          <div data-testid="import-rejected">
            <Table<Rejection>
              size="small"
              rowKey={(r) => `${r.line}`}
              dataSource={report.rejected}
              pagination={{ pageSize: 8 }}
              columns={[
                { title: t("data.line"), dataIndex: "line", width: 80 },
                { title: t("col.account"), dataIndex: "account", width: 120 },
                { title: t("data.reason"), render: (_, r) => r.messages.map((m) => coreText(lang, m)).join("；") },
              ]}
            />
          </div>
        )}
      </Space>
    </Card>
  );
}
