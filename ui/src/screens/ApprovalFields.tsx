import { Input, Space } from "antd";
import type { ManagerApproval } from "../api/generated/ManagerApproval";
import { useI18n } from "../i18n";

/** A manager's username and password typed at the clerk's screen (主管授权). Enter in either
 *  field submits the dialog the fields are in. */
export function ApprovalFields(props: { value: ManagerApproval; onChange: (v: ManagerApproval) => void; onSubmit?: () => void }) {
  const { t } = useI18n();
  const submit = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing || !props.onSubmit) return;
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <Space.Compact style={{ width: "100%" }}>
      <Input
        aria-label={t("approval.username")}
        placeholder={t("approval.username")}
        value={props.value.username}
        onChange={(e) => props.onChange({ ...props.value, username: e.target.value })}
        onPressEnter={submit}
      />
      <Input.Password
        aria-label={t("approval.password")}
        placeholder={t("approval.password")}
        value={props.value.password}
        onChange={(e) => props.onChange({ ...props.value, password: e.target.value })}
        onPressEnter={submit}
      />
    </Space.Compact>
  );
}
