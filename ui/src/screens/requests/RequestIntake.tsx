import { ArrowLeftOutlined, CloseOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Radio, Space, Tag, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { invoke } from "../../api/invoke";
import type { AreaType } from "../../api/generated/AreaType";
import type { Category } from "../../api/generated/Category";
import type { ComplaintClass } from "../../api/generated/ComplaintClass";
import type { DeadlinePlan } from "../../api/generated/DeadlinePlan";
import type { RequestView } from "../../api/generated/RequestView";
import type { SearchHit } from "../../api/generated/SearchHit";
import type { ServiceKind } from "../../api/generated/ServiceKind";
import type { UserMessage } from "../../api/generated/UserMessage";
import { CommandError } from "../../api/invoke";
import { useLabels } from "../../catalog";
import { CustomerFinder } from "../../components/CustomerFinder";
import { coreText, useI18n } from "../../i18n";
import { outletTime } from "../../time";
import { limitText } from "./common";

const ON_SITE = (c: Category, k: ServiceKind | null) => c === "fault_repair" || (c === "service_request" && k === "appliance_damage");

/**
 * Request intake, keyboard-first: the category (arrow keys), the fields it needs, the caller's
 * customer found while typing (or an anonymous caller's phone), what they say, and the deadlines
 * it will run against. Ctrl+Enter accepts; a second press while the first is on its way does nothing.
 */
export function RequestIntake(props: { customerId?: string; onCancel: () => void; onDone: (view: RequestView) => void }) {
  const { t, lang } = useI18n();
  const { label, options } = useLabels();
  const [category, setCategory] = useState<Category>("fault_repair");
  const [complaintClass, setComplaintClass] = useState<ComplaintClass | null>(null);
  const [kind, setKind] = useState<ServiceKind | null>(null);
  const [area, setArea] = useState<AreaType | null>(null);
  const [customer, setCustomer] = useState<SearchHit | null>(null);
  const [callerName, setCallerName] = useState("");
  const [phone, setPhone] = useState("");
  const [address, setAddress] = useState("");
  const [content, setContent] = useState("");
  const [answered, setAnswered] = useState("");
  const [plan, setPlan] = useState<DeadlinePlan | null>(null);
  const [errors, setErrors] = useState<UserMessage[]>([]);
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const categories = useRef<HTMLDivElement>(null);

  // The clerk says first what the call is about: the category has the focus, arrows change it.
  useEffect(() => {
    categories.current?.querySelector<HTMLInputElement>("input:checked")?.focus();
  }, []);

  // A request started from a customer's profile comes with the customer.
  useEffect(() => {
    if (!props.customerId) return;
    invoke("customer.get", { id: props.customerId }).then((v) => {
      const c = v.customer;
      setCustomer({ id: c.id, account: c.account, name: c.name, class: c.class, status: c.status, address: c.address, phone: c.phones[0] ?? "", matched_by: "account" });
    }, () => {});
  }, [props.customerId]);

  // The deadlines, as the core would fix them if accepted now.
  useEffect(() => {
    let live = true;
    invoke("service.plan", { category, service_kind: kind, area_type: area }).then((p) => live && setPlan(p), () => live && setPlan(null));
    return () => { live = false; };
  }, [category, kind, area]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") props.onCancel();
      if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); void accept(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  // A field the clerk corrects loses its error; the others keep theirs until the next accept.
  const fixed = (...fields: string[]) => setErrors((es) => es.filter((e) => !e.field || !fields.includes(e.field)));

  function pickCustomer(hit: SearchHit) {
    setCustomer(hit);
    fixed("customer_id", "caller.phone");
    if (!address && ON_SITE(category, kind)) setAddress(hit.address);
  }

  async function accept() {
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    setErrors([]);
    try {
      const view = await invoke("service.create", {
        category,
        complaint_class: category === "complaint" ? complaintClass : null,
        service_kind: category === "service_request" ? kind : null,
        area_type: category === "fault_repair" ? area : null,
        customer_id: customer?.id ?? null,
        caller: { name: callerName, phone },
        address,
        content,
        answered: plan?.answerable && answered.trim() ? answered : null,
      });
      // Accepted: the form is done. `sending` stays set, so that a second press arriving before
      // the page has moved on to the request accepts nothing more.
      props.onDone(view);
    } catch (e) {
      setErrors(e instanceof CommandError ? e.error.messages : [{ code: "internal", field: null, zh: String(e), en: String(e) }]);
      sending.current = false;
      setBusy(false);
    }
  }

  const fieldError = (field: string) => {
    const m = errors.find((e) => e.field === field);
    return m ? { validateStatus: "error" as const, help: coreText(lang, m) } : {};
  };
  const onSite = ON_SITE(category, kind);
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%", maxWidth: 980 }} data-testid="request-intake">
      <Space>
        <Button icon={<ArrowLeftOutlined />} onClick={props.onCancel}>{t("req.backToList")}</Button>
        <Typography.Title level={4} style={{ margin: 0 }}>{t("req.intakeTitle")}</Typography.Title>
      </Space>
      {errors.length > 0 && (
        <Alert type="error" showIcon data-testid="intake-errors" message={errors.map((m) => coreText(lang, m)).join(lang === "zh-CN" ? "；" : "; ")} />
      )}
      <Form layout="vertical" component="div">
        <Form.Item label={t("req.category")}>
          <div ref={categories}>
          <Radio.Group value={category} onChange={(e) => setCategory(e.target.value)} optionType="button" buttonStyle="solid" options={options("request_categories")} data-testid="intake-category" />
          </div>
        </Form.Item>
        {category === "complaint" && (
          <Form.Item label={t("req.complaintClass")} required {...fieldError("complaint_class")}>
            <Radio.Group value={complaintClass} onChange={(e) => { setComplaintClass(e.target.value); fixed("complaint_class"); }} optionType="button" options={options("complaint_classes")} data-testid="intake-complaint-class" />
          </Form.Item>
        )}
        {category === "service_request" && (
          <Form.Item label={t("req.serviceKind")} required {...fieldError("service_kind")}>
            <Radio.Group value={kind} onChange={(e) => { setKind(e.target.value); fixed("service_kind"); }} optionType="button" options={options("service_kinds")} data-testid="intake-service-kind" />
          </Form.Item>
        )}
        {category === "fault_repair" && (
          <Form.Item label={t("req.areaType")}>
            <Radio.Group value={area ?? plan?.area_type} onChange={(e) => setArea(e.target.value)} optionType="button" options={options("area_types")} data-testid="intake-area" />
          </Form.Item>
        )}
        <Card size="small" title={t("req.caller")} style={{ marginBottom: 16 }}>
          {customer ? (
            <Space data-testid="intake-customer">
              <span className="mono">{customer.account}</span> {customer.name} <Typography.Text type="secondary">{customer.address}</Typography.Text>
              <Button size="small" icon={<CloseOutlined />} onClick={() => setCustomer(null)} aria-label={t("req.clearCustomer")} data-testid="intake-clear-customer" />
            </Space>
          ) : (
            <CustomerFinder onPick={pickCustomer} placeholder={t("req.findCustomer")} testId="request-customer-search" autoFocus={false} />
          )}
          <Space wrap style={{ marginTop: 8 }} align="start">
            <Form.Item label={t("req.callerName")} style={{ marginBottom: 0 }} {...fieldError("caller.name")}>
              <Input value={callerName} onChange={(e) => { setCallerName(e.target.value); fixed("caller.name"); }} placeholder={customer ? customer.name : t("req.anonymous")} style={{ width: 180 }} data-testid="intake-caller-name" />
            </Form.Item>
            <Form.Item label={t("req.callerPhone")} style={{ marginBottom: 0 }} required={!customer} {...fieldError("caller.phone")}>
              <Input value={phone} onChange={(e) => { setPhone(e.target.value); fixed("caller.phone"); }} className="mono" style={{ width: 180 }} inputMode="tel" data-testid="intake-caller-phone" />
            </Form.Item>
          </Space>
        </Card>
        <Form.Item label={t("req.address")} required={onSite} {...fieldError("address")}>
          <Input value={address} onChange={(e) => { setAddress(e.target.value); fixed("address"); }} data-testid="intake-address" />
        </Form.Item>
        <Form.Item label={t("req.content")} required {...fieldError("content")}>
          <Input.TextArea value={content} onChange={(e) => { setContent(e.target.value); fixed("content"); }} rows={3} data-testid="intake-content" />
        </Form.Item>
        {plan?.answerable && (
          <Form.Item label={t("req.answered")} extra={t("req.answeredHint")} {...fieldError("answered")}>
            <Input.TextArea value={answered} onChange={(e) => setAnswered(e.target.value)} rows={2} data-testid="intake-answered" />
          </Form.Item>
        )}
      </Form>
      <Card size="small" title={t("req.deadlines")} data-testid="intake-deadlines">
        {plan && plan.deadlines.length === 0 && <Typography.Text type="secondary">{t("req.noDeadline")}</Typography.Text>}
        <Space wrap>
          {plan?.deadlines.map((d) => (
            <Tag key={d.milestone} color={d.published ? "blue" : "default"}>
              {label("milestones", d.milestone)} · {limitText(t, d.limit)}{d.due ? ` · ${t("req.dueBy", { at: outletTime(d.due) })}` : ` · ${t("req.fromArrival")}`}
            </Tag>
          ))}
        </Space>
        {plan?.needs_callback && <div><Typography.Text type="secondary">{t("req.needsCallback")}</Typography.Text></div>}
      </Card>
      <Space>
        <Button type="primary" loading={busy} onClick={() => void accept()} data-testid="intake-accept">{t("req.accept")}</Button>
        <Typography.Text type="secondary">{t("req.acceptHint")}</Typography.Text>
        <Button onClick={props.onCancel}>{t("common.cancel")}</Button>
      </Space>
    </Space>
  );
}
