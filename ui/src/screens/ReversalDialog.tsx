import { Alert, Form, Input, Modal, Select } from "antd";
import { useRef, useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { ManagerApproval } from "../api/generated/ManagerApproval";
import type { Payment } from "../api/generated/Payment";
import type { ReasonCode } from "../api/generated/ReasonCode";
import { useLabels } from "../catalog";
import { yuan } from "../form/money";
import { coreText, useI18n } from "../i18n";
import { ApprovalFields } from "./ApprovalFields";

/** 冲正 / 冲红 with a reason code and the manager's password. The core decides which one applies. */
export function ReversalDialog(props: { payment: Payment | null; onClose: () => void; onDone: (p: Payment) => void }) {
  const { t, lang } = useI18n();
  const { options } = useLabels();
  const [reason, setReason] = useState<ReasonCode>("wrong_amount");
  const [note, setNote] = useState("");
  const [approval, setApproval] = useState<ManagerApproval>({ username: "", password: "" });
  const [error, setError] = useState<string | null>(null);
  // One request at a time: a double Enter must not send the reversal twice.
  const busy = useRef(false);

  async function submit() {
    if (!props.payment || busy.current) return;
    busy.current = true;
    try {
      const done = await invoke("payment.reverse", { reversal: { receipt_no: props.payment.receipt_no, reason, note }, approval });
      setError(null);
      setApproval({ username: "", password: "" });
      props.onDone(done);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    } finally {
      busy.current = false;
    }
  }

  return (
    <Modal destroyOnHidden open={!!props.payment} title={t("reverse.title", { no: props.payment?.receipt_no ?? "" })} onOk={submit} onCancel={props.onClose} okText={t("reverse.submit")}>
      <p>{t("reverse.hint", { amount: yuan(props.payment?.amount ?? 0) })}</p>
      <Form layout="vertical">
        <Form.Item label={t("reverse.reason")}>
          <Select aria-label={t("reverse.reason")} value={reason} onChange={setReason} options={options("reason_codes")} />
        </Form.Item>
        <Form.Item label={t("reverse.note")}>
          <Input aria-label={t("reverse.note")} value={note} onChange={(e) => setNote(e.target.value)} />
        </Form.Item>
        <Form.Item label={t("approval.title")}>
          <ApprovalFields value={approval} onChange={setApproval} onSubmit={submit} />
        </Form.Item>
      </Form>
      {error && <Alert type="error" message={error} />}
    </Modal>
  );
}
