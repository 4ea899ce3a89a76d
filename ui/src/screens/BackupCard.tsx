import { Alert, App, Button, Card, Descriptions, Input, InputNumber, Space, Table, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { CommandError, chooseDirectory, inDesktopApp, invoke } from "../api/invoke";
import type { BackupFile } from "../api/generated/BackupFile";
import type { BackupStatus } from "../api/generated/BackupStatus";
import { coreText, useI18n } from "../i18n";
import { outletTime } from "../time";

/** Bytes as the settings screen shows them: one decimal of a MiB (display only, not money). */
export function fileSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * The daily backup: its last outcome in plain words, and for the administrator the folder, the
 * days kept, a backup now, and restoring one from the list (after which everyone logs in again).
 */
export function BackupCard({ canChange }: { canChange: boolean }) {
  const { t, lang } = useI18n();
  const { message, modal } = App.useApp();
  const [status, setStatus] = useState<BackupStatus | null>(null);
  const [dir, setDir] = useState("");
  const [keepDays, setKeepDays] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = useCallback((e: unknown) => message.error(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e)), [lang, message]);
  const show = useCallback((s: BackupStatus) => {
    setStatus(s);
    setDir(s.dir_is_default ? "" : s.dir);
    setKeepDays(s.keep_days);
  }, []);
  useEffect(() => {
    invoke("backup.status", {}).then(show, fail);
  }, [show, fail]);

  async function save(key: string, value: string) {
    try {
      await invoke("settings.set", { key, value });
      message.success(t("backup.saved"));
      show(await invoke("backup.status", {}));
    } catch (e) {
      fail(e);
    }
  }

  async function chooseDir() {
    const picked = await chooseDirectory();
    if (picked) {
      setDir(picked);
      await save("backup.dir", picked);
    }
  }

  async function runNow() {
    setBusy(true);
    try {
      const s = await invoke("backup.run", {});
      show(s);
      if (s.last?.file) message.success(t("backup.done", { file: s.last.file }));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  function restore(backup: BackupFile) {
    modal.confirm({
      title: t("backup.confirmTitle"),
      content: t("backup.confirmText", { at: outletTime(backup.taken_at) }),
      okText: t("backup.confirmOk"),
      okButtonProps: { danger: true, "data-testid": "restore-confirm" } as never,
      onOk: async () => {
        try {
          await invoke("backup.restore", { file: backup.file });
          modal.success({
            title: t("backup.restored", { file: backup.file }),
            // Every session ended with the restore: asking who we are now leads to the login screen.
            onOk: () => invoke("session.whoami", {}).catch(() => {}),
          });
        } catch (e) {
          fail(e);
        }
      },
    });
  }

  const last = status?.last;
  const success = status?.last_success;
  return (
    <Card title={t("backup.title")} data-testid="backup-card">
      <Space direction="vertical" style={{ width: "100%" }}>
        <Typography.Text type="secondary">{t("backup.daily")}</Typography.Text>
        {last?.error && (
          <Alert type="error" showIcon data-testid="backup-failure" message={t("backup.failedAt", { at: outletTime(last.finished_at), reason: coreText(lang, last.error) })} />
        )}
        <Descriptions column={1} size="small" bordered styles={{ label: { width: 140, whiteSpace: "nowrap" } }}>
          <Descriptions.Item label={t("backup.last")}>
            <span data-testid="backup-last">
              {success?.file
                ? t("backup.lastFile", { at: outletTime(success.finished_at), file: success.file, size: fileSize(success.bytes ?? 0) })
                : t("backup.none")}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t("backup.dir")}>
            {canChange ? (
              <Space.Compact style={{ width: "100%" }}>
                <Input
                  aria-label={t("backup.dir")}
                  data-testid="backup-dir"
                  className="mono"
                  value={dir}
                  readOnly={inDesktopApp()}
                  placeholder={status?.dir_is_default ? status.dir : t("backup.dirPlaceholder")}
                  onChange={(e) => setDir(e.target.value)}
                />
                {inDesktopApp() ? (
                  <Button onClick={() => void chooseDir()} data-testid="backup-choose-dir">{t("backup.chooseDir")}</Button>
                ) : (
                  <Button onClick={() => void save("backup.dir", dir)} data-testid="backup-save-dir">{t("backup.save")}</Button>
                )}
              </Space.Compact>
            ) : (
              <span className="mono">{status?.dir}</span>
            )}
            {status?.dir_is_default && (
              <Typography.Text type="secondary" style={{ display: "block" }}>
                {t("backup.dirDefault", { dir: status.dir })}
              </Typography.Text>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t("backup.keepDays")}>
            {canChange ? (
              <Space.Compact>
                <InputNumber aria-label={t("backup.keepDays")} min={1} max={365} precision={0} value={keepDays} onChange={setKeepDays} />
                <Button onClick={() => void save("backup.keep_days", String(keepDays ?? ""))}>{t("backup.save")}</Button>
              </Space.Compact>
            ) : (
              t("backup.days", { n: status?.keep_days ?? "…" })
            )}
          </Descriptions.Item>
        </Descriptions>
        {canChange && (
          <>
            <Button type="primary" loading={busy} onClick={() => void runNow()} data-testid="backup-run">
              {t("backup.runNow")}
            </Button>
            <div data-testid="backup-list">
              <Table<BackupFile>
                size="small"
                title={() => t("backup.list")}
                rowKey="file"
                dataSource={status?.backups ?? []}
                pagination={{ pageSize: 5, hideOnSinglePage: true }}
                columns={[
                  { title: t("backup.takenAt"), render: (_, b) => outletTime(b.taken_at), width: 180 },
                  { title: t("backup.size"), render: (_, b) => fileSize(b.bytes), width: 100 },
                  { title: t("backup.file"), dataIndex: "file", className: "mono" },
                  {
                    width: 90,
                    render: (_, b) => (
                      <Button size="small" danger onClick={() => restore(b)}>
                        {t("backup.restore")}
                      </Button>
                    ),
                  },
                ]}
              />
            </div>
          </>
        )}
      </Space>
    </Card>
  );
}
