import { App, Button, Card, Input, Space, Table } from "antd";
import { useState } from "react";
import { CommandError, chooseFile, inDesktopApp, invoke } from "../api/invoke";
import type { ImportReport } from "../api/generated/ImportReport";
import type { Rejection } from "../api/generated/Rejection";
import { coreText, useI18n } from "../i18n";

/** Import and export of customer CSV files, for managers and administrators. */
export function DataTransferCard() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [path, setPath] = useState("");
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(kind: "import" | "export") {
    let target = path;
    if (inDesktopApp()) {
      target = (await chooseFile(kind === "import" ? "open" : "save")) ?? "";
      if (!target) return;
      setPath(target);
    }
    setBusy(true);
    try {
      if (kind === "import") {
        const result = await invoke("customers.import", { path: target });
        setReport(result);
        message.info(t("data.imported", { n: result.imported, r: result.rejected.length }));
      } else {
        const result = await invoke("customers.export", { path: target });
        message.success(t("data.exported", { n: result.customers, path: result.path }));
      }
    } catch (e) {
      message.error(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t("data.title")}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Space.Compact style={{ width: "100%" }}>
          {!inDesktopApp() && <Input placeholder={t("data.path")} value={path} onChange={(e) => setPath(e.target.value)} className="mono" />}
          <Button loading={busy} onClick={() => void run("import")}>
            {inDesktopApp() ? `${t("data.import")}…` : t("data.import")}
          </Button>
          <Button loading={busy} onClick={() => void run("export")}>
            {inDesktopApp() ? `${t("data.export")}…` : t("data.export")}
          </Button>
        </Space.Compact>
        {report && report.rejected.length > 0 && (
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
        )}
      </Space>
    </Card>
  );
}
