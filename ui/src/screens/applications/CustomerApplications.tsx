import { PlusOutlined } from "@ant-design/icons";
import { Button, Space, Table, Tag } from "antd";
import { useEffect, useState } from "react";
import { invoke } from "../../api/invoke";
import type { ApplicationRow } from "../../api/generated/ApplicationRow";
import { useLabels } from "../../catalog";
import { useI18n } from "../../i18n";
import { useCan } from "../../session";
import { StateTag } from "./ApplicationsScreen";
import { useAppNav } from "./common";

/** The customer's applications on the profile, newest first, each opening its detail page. */
export function CustomerApplicationsTab({ customerId, closed }: { customerId: string; closed: boolean }) {
  const { t } = useI18n();
  const { label } = useLabels();
  const nav = useAppNav();
  const can = useCan();
  const [rows, setRows] = useState<ApplicationRow[]>([]);
  useEffect(() => {
    invoke("application.list", { due: "all", kind: null, state: null, owner: null, customer_id: customerId, offset: 0, limit: 100 }).then((l) => setRows(l.rows), () => setRows([]));
  }, [customerId]);
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {can("application.create") && !closed && (
        <Button icon={<PlusOutlined />} onClick={() => nav.startIntake(customerId)} data-testid="profile-new-application">{t("apps.newForCustomer")}</Button>
      )}
      <Table<ApplicationRow> size="small" rowKey="id" dataSource={rows} pagination={{ pageSize: 10 }} data-testid="customer-applications"
        onRow={(r) => ({ onClick: () => nav.openApplication(r.id), style: { cursor: "pointer" } })}
        locale={{ emptyText: t("apps.empty") }}
        columns={[
          { title: t("apps.number"), dataIndex: "number", render: (v: string) => <span className="mono">{v}</span> },
          { title: t("apps.kind"), render: (_, r) => label("application_kinds", r.kind) },
          { title: t("apps.state"), render: (_, r) => <StateTag state={r.state} /> },
          { title: t("apps.step"), render: (_, r) => (r.step ? label("step_kinds", r.step) : "—") },
          { title: t("apps.promisedDate"), render: (_, r) => <>{r.promised_date} {r.overdue && <Tag color="red">{t("apps.overdue")}</Tag>}</> },
        ]} />
    </Space>
  );
}
