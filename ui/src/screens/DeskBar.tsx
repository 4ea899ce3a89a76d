import { Alert, Button, Input, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { CommandError, invoke } from "../api/invoke";
import type { DeskState } from "../api/generated/DeskState";
import { parseYuan, yuan, yuanProblem } from "../form/money";
import { coreText, useI18n } from "../i18n";

/** The desk's state above the collection screen: open it with a float, or see what it holds, and
 *  which business date it collects for when that is not today (after 日结). */
export function DeskBar(props: { desk: DeskState | null; onChange: (d: DeskState) => void }) {
  const { t, lang } = useI18n();
  const [float, setFloat] = useState("200");
  const [error, setError] = useState<string | null>(null);
  const session = props.desk?.session;

  async function open() {
    const fen = parseYuan(float);
    if (fen === null) return setError(t(yuanProblem(float) ?? "money.invalid"));
    try {
      props.onChange(await invoke("desk.open", { float: fen }));
      setError(null);
    } catch (e) {
      setError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }

  if (!session) {
    const desk = props.desk;
    const refused = desk?.refused;
    const nextDate = desk && desk.collecting_for > desk.today;
    return (
      <Space direction="vertical" style={{ width: "100%" }}>
        {refused ? <Alert type="warning" showIcon message={coreText(lang, refused)} data-testid="desk-refused" />
          : <Alert type="warning" showIcon message={t("desk.closedHint")} />}
        {!refused && nextDate && <Alert type="info" showIcon data-testid="desk-next-date" message={t("desk.nextDateHint", { today: desk.today, date: desk.collecting_for })} />}
        <Space>
          <Typography.Text>{t("desk.float")}</Typography.Text>
          <Input aria-label={t("desk.float")} value={float} onChange={(e) => setFloat(e.target.value)} style={{ width: 120 }} suffix={t("money.unit")} onPressEnter={open} disabled={!!refused} />
          <Button type="primary" onClick={open} disabled={!!refused}>{t("desk.open")}</Button>
        </Space>
        {error && <Alert type="error" message={error} />}
      </Space>
    );
  }
  const payments = props.desk?.expected?.payments ?? 0;
  // Dated after today: today is closed and the desk collects for the next business date. (A desk
  // left open from an earlier date is refused by the core with its own message.)
  const otherDate = props.desk && session.business_date > props.desk.today;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Space wrap className="desk-bar">
        <Tag color="green">{t("desk.isOpen", { name: session.clerk_name, date: session.business_date })}</Tag>
        {otherDate && <Tag color="orange" data-testid="desk-collecting-for">{t("desk.collectingFor", { date: session.business_date, today: props.desk?.today ?? "" })}</Tag>}
        <Typography.Text>{t("desk.expectedCash")}: ¥{yuan(props.desk?.expected?.cash ?? 0)}</Typography.Text>
        <Typography.Text type="secondary">{t(payments === 1 ? "desk.payments1" : "desk.payments", { n: payments })}</Typography.Text>
        <CashMove onChange={props.onChange} onError={setError} />
      </Space>
      {error && <Alert type="error" message={error} />}
    </Space>
  );
}

/** Cash put into or taken out of the drawer, with the reason (存入/取出). */
function CashMove(props: { onChange: (d: DeskState) => void; onError: (e: string | null) => void }) {
  const { t, lang } = useI18n();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  async function move(direction: "in" | "out") {
    const fen = parseYuan(amount);
    if (fen === null) return props.onError(t(yuanProblem(amount) ?? "money.invalid"));
    try {
      props.onChange(await invoke("desk.move_cash", { direction, amount: fen, reason }));
      setAmount("");
      setReason("");
      props.onError(null);
    } catch (e) {
      props.onError(e instanceof CommandError ? coreText(lang, e.error.messages[0]) : String(e));
    }
  }
  return (
    <Space.Compact>
      <Input aria-label={t("desk.moveAmount")} placeholder={t("desk.moveAmount")} value={amount} onChange={(e) => setAmount(e.target.value)} style={{ width: 110 }} />
      <Input aria-label={t("desk.moveReason")} placeholder={t("desk.moveReason")} value={reason} onChange={(e) => setReason(e.target.value)} style={{ width: 160 }} />
      <Button onClick={() => move("in")}>{t("desk.cashIn")}</Button>
      <Button onClick={() => move("out")}>{t("desk.cashOut")}</Button>
    </Space.Compact>
  );
}
